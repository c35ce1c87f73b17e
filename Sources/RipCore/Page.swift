import RipProto
import RipBase

/// A position in a newest-first listing (jobs, artifacts): "sequence.created-ms.id", opaque to
/// clients. Items order by their creation sequence, which the state hands out in the order of
/// the log; items created before it was kept (sequence 0) order by time, then id.
struct PageCursor: Comparable {
    let sequence: UInt64
    let created: UnixMillis
    let id: String

    init(sequence: UInt64, created: UnixMillis, id: String) {
        self.sequence = sequence
        self.created = created
        self.id = id
    }

    init(_ text: String) throws {
        let parts = text.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, let sequence = UInt64(parts[0]), let created = UnixMillis(parts[1]) else {
            throw RipError.invalidArgument("cursor '\(text)' is not a next_cursor this daemon returned")
        }
        self.init(sequence: sequence, created: created, id: String(parts[2]))
    }

    var text: String { "\(sequence).\(created).\(id)" }

    static func < (lhs: PageCursor, rhs: PageCursor) -> Bool {
        (lhs.sequence, lhs.created, lhs.id) < (rhs.sequence, rhs.created, rhs.id)
    }
}

extension PageCursor {
    init(_ job: RipJob) { self.init(sequence: job.createdSeq, created: job.createdAt.unixMillis, id: job.id) }
    init(_ artifact: RipArtifact) {
        self.init(sequence: artifact.createdSeq, created: artifact.createdAt.unixMillis, id: artifact.id)
    }
}

/// One page of a newest-first listing: the items that match, after the cursor, at most `limit`
/// of them (default `defaultLimit`, at most 1000), and the cursor of the next page ("" on the
/// last one).
struct Page<Item> {
    let items: [Item]
    let nextCursor: String

    init(
        _ candidates: some Sequence<Item>, limit requested: UInt32, defaultLimit: Int, cursor: String,
        position: (Item) -> PageCursor, where matches: (Item) -> Bool
    ) throws {
        let limit = requested == 0 ? defaultLimit : Int(requested)
        guard limit <= 1000 else { throw RipError.invalidArgument("limit must be at most 1000, got \(limit)") }
        let after = try cursor.isEmpty ? nil : PageCursor(cursor)
        let matching = candidates
            .filter { item in matches(item) && (after.map { position(item) < $0 } ?? true) }
            .sorted { position($0) > position($1) }
        items = Array(matching.prefix(limit))
        nextCursor = matching.count > limit ? items.last.map { position($0).text } ?? "" : ""
    }
}
