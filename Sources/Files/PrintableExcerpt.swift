public extension String {
    /// The first `limit` Unicode scalars, with what a terminal would act on or hide (controls, format and
    /// separator characters, private and unassigned code points) shown as "?", and "..." when cut: how a
    /// command echoes text a script passed, which may be anything (escape codes, megabytes).
    func printableExcerpt(_ limit: Int) -> String {
        let hidden: Set<Unicode.GeneralCategory> = [.control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate]
        let shown = unicodeScalars.prefix(limit).map { hidden.contains($0.properties.generalCategory) ? "?" : $0 }
        return String(String.UnicodeScalarView(shown)) + (unicodeScalars.count > limit ? "..." : "")
    }
}

public extension String {
    /// Each line as `printableExcerpt` shows it (up to 4,096 characters a line), the line breaks kept: how a
    /// message that names outside files or classes is printed.
    var printableLines: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).printableExcerpt(4096) }.joined(separator: "\n")
    }
}
