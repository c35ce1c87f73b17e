/// The cookies one lookup selected. Made under the writer lock, so it copies only what the
/// header needs, as bytes (and whole cookies only when the caller wants them): it retains none
/// of the jar's strings, whose reference counts would otherwise bounce between the cores that
/// serve lookups, and keeps no reference to the jar's storage, which the next lookup then
/// updates in place. Sorted into header order (RFC 6265bis §5.8.3 step 2: longer paths first,
/// then earlier creation) only when read, after the lock is released.
public struct CookieSelection: Sendable {
    struct Entry: Sendable {
        /// The "name=value" (or value) bytes of the cookie: `pairs[pairStart..<pairEnd]`.
        let pairStart: Int
        let pairEnd: Int
        let pathLength: Int
        let creation: UnixMillis
        let creationIndex: UInt64
    }

    private var pairs: [UInt8] = []
    private var entries: [Entry] = []
    /// The whole cookies, parallel to `entries`, when asked for.
    private var whole: [Cookie]?

    init(withCookies: Bool) {
        whole = withCookies ? [] : nil
    }

    /// Adds `cookies[index]`, copying only the fields the header needs unless whole cookies
    /// were asked for.
    mutating func add(_ cookies: borrowing [Cookie], at index: Int) {
        if entries.isEmpty {
            entries.reserveCapacity(16)
            pairs.reserveCapacity(1024)
        }
        let start = pairs.count
        if !cookies[index].name.isEmpty {
            pairs.append(contentsOf: cookies[index].name.utf8)
            pairs.append(UInt8(ascii: "="))
        }
        pairs.append(contentsOf: cookies[index].value.utf8)
        entries.append(
            Entry(
                pairStart: start, pairEnd: pairs.count, pathLength: cookies[index].path.utf8.count,
                creation: cookies[index].creation, creationIndex: cookies[index].creationIndex))
        whole?.append(cookies[index])
    }

    public var count: Int { entries.count }

    private var order: [Int] {
        entries.indices.sorted { a, b in
            let (x, y) = (entries[a], entries[b])
            return x.pathLength != y.pathLength
                ? x.pathLength > y.pathLength : (x.creation, x.creationIndex) < (y.creation, y.creationIndex)
        }
    }

    /// The selected cookies in header order; empty unless the lookup asked for them.
    public var cookies: [Cookie] {
        guard let whole else { return [] }
        return order.map { whole[$0] }
    }

    /// The Cookie header value (§5.8.3 step 4): "name=value" pairs, or the value alone for a
    /// nameless cookie, joined with "; "; empty when nothing was selected.
    public var header: String {
        guard !entries.isEmpty else { return "" }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pairs.count + 2 * entries.count)
        for index in order {
            if !bytes.isEmpty { bytes.append(contentsOf: [UInt8(ascii: ";"), UInt8(ascii: " ")]) }
            bytes.append(contentsOf: pairs[entries[index].pairStart..<entries[index].pairEnd])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
