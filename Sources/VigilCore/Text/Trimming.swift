extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, line breaks).
    ///
    /// Foundation's `trimmingCharacters(in:)` would do, but it lives in the full Foundation, which the
    /// agent does not link (its memory footprint is a goal).
    public func trimmingSpaces() -> String {
        var scalars = self[...]
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
