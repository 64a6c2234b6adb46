import CGAN
import Files
import Foundation

/// A class given on the command line (`--label`, `--to-label`), read as `ConditionalGenerator.label(named:)` reads
/// it, with the one-line error and the note a user needs where numbers and names could be confused.
enum LabelArgument {
    /// The class `text` names, or a `CommandError` that says why none; notes on standard error when `text`
    /// is a class number and also the name of another class (folders "1", "10", "2" sort as classes 0, 1, 2).
    static func resolve(_ text: String, option: String, generator: ConditionalGenerator) throws -> Int {
        guard let label = generator.label(named: text) else { throw CommandError(problem(text, option: option, generator: generator)) }
        let names = generator.classNames
        if let named = names.firstIndex(of: text), named != label {
            StandardStream.error("note: \(option) \(quoted(text)) is class \(label) (\(quoted(names[label]))); "
                                 + "the class named \(quoted(text)) is number \(named)\n")
        }
        return label
    }

    /// Why `text` names no class, in one line: the range of class numbers, and the names where they are not
    /// the numbers.
    static func problem(_ text: String, option: String, generator: ConditionalGenerator) -> String {
        let given = "\(option) \(quoted(text))"
        let folded = generator.caseInsensitiveMatches(text)
        if folded.count > 1 {
            let names = folded.prefix(5).map { quoted(generator.classNames[$0]) }.joined(separator: ", ")
            return "\(given) matches classes \(names) ignoring case: give the exact name"
        }
        // Digits too many for an Int are still a number, just far outside the range.
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        let isNumber = !digits.isEmpty && digits.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let range = "\(given) is \(isNumber ? "outside the class numbers" : "not a class number") 0...\(generator.classCount - 1)"
        guard generator.hasClassNames else { return range }
        let classNames = generator.classNames
        let shown = classNames.prefix(20).map { $0.printableExcerpt(40) }.joined(separator: ", ") + (classNames.count > 20 ? ", ... (\(classNames.count) in all)" : "")
        return "\(range) and is no class name (known: \(shown))"
    }

    /// `text` shown short, printable and in quotes, so that an empty or space-padded label is visible.
    static func quoted(_ text: String) -> String { "\"" + text.printableExcerpt(60) + "\"" }
}
