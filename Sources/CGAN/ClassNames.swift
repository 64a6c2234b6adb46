extension Array where Element == String {
    /// True when these class names are just the class numbers "0", "1", ... in order (the MNIST family's
    /// digits, or an image folder of sub-folders named so): nothing to show beside the numbers.
    var areClassNumbers: Bool { elementsEqual(indices.map(String.init)) }
}
