extension String {
    /// The longest prefix of whole Unicode scalars that fits in `limit` UTF-8 bytes: for text
    /// kept or sent under a byte bound (error messages, a webhook attempt's error).
    public func prefix(utf8Bytes limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var bytes = 0
        var end = unicodeScalars.startIndex
        for scalar in unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > limit { break }
            end = unicodeScalars.index(after: end)
        }
        return String(unicodeScalars[..<end])
    }
}
