import Foundation
import RipBase
import RipCore
import RipProto
import Testing

/// The artifact records as a state machine: holders per content, the physical bytes the quota
/// reads, what a deletion releases, the per-owner room, and newest-first pages.
struct ArtifactHarness {
    static let now: UnixMillis = 1_800_000_000_000
    static let sessionA = "sess_" + String(repeating: "a", count: 32)
    static let sessionB = "sess_" + String(repeating: "b", count: 32)
    var state = RipState()
    var records: [RipMutation] = []

    /// Two sessions, "a" and "b".
    init() throws {
        try apply(.with { $0.newSessionID = Self.sessionA; $0.sessionLimit = .with { $0.maxSessions = 10 }; $0.createSession = .with { $0.name = "a" } })
        try apply(.with { $0.newSessionID = Self.sessionB; $0.sessionLimit = .with { $0.maxSessions = 10 }; $0.createSession = .with { $0.name = "b" } })
    }

    @discardableResult
    mutating func apply(_ mutation: RipMutation) throws -> Applied {
        var mutation = mutation
        mutation.timeUnixMs = Self.now
        let applied = try state.apply(mutation)
        records.append(mutation)
        return applied
    }

    @discardableResult
    mutating func create(_ id: String, owner: String, sha: String, size: UInt64, name: String = "f") throws -> Applied {
        try apply(.with {
            $0.createArtifact = .with {
                $0.id = id
                $0.owner = .with { $0.session = owner }
                $0.name = name
                $0.sha256 = sha
                $0.size = size
                $0.storedSize = size / 2
                $0.createdAt = .init(unixMillis: Self.now)
            }
        })
    }
}

@Suite("Artifact book")
struct ArtifactBookTests {
    let sessionA = ArtifactHarness.sessionA, sessionB = ArtifactHarness.sessionB

    @Test func contentIsCountedOnceAndReleasedWithItsLastHolder() throws {
        var h = try ArtifactHarness()
        try h.create("art_1", owner: sessionA, sha: "x", size: 100)
        try h.create("art_2", owner: sessionB, sha: "x", size: 100)
        try h.create("art_3", owner: sessionA, sha: "y", size: 10)
        #expect(h.state.artifacts.physicalBytes == 55 && h.state.artifacts.holds("x"))
        let stats = h.state.artifacts.stats()
        #expect(stats.artifacts == 3 && stats.blobs == 2 && stats.logicalBytes == 210 && stats.uniqueBytes == 110)

        let first = try h.apply(.with { $0.deleteArtifact = .with { $0.artifactID = "art_1"; $0.owner = .with { $0.session = sessionA } } })
        #expect(first.releasedBlobs.isEmpty && h.state.artifacts.holds("x"))
        // Deleting the session takes its artifacts; the shared content goes with its last holder.
        let gone = try h.apply(.with { $0.deleteSessions = .with { $0.sessions = ["b"] } })
        #expect(gone.releasedBlobs == ["x"] && !h.state.artifacts.holds("x") && h.state.artifacts.physicalBytes == 5)
        #expect(h.state.artifacts.count(ownedBy: sessionB) == 0)

        var replayed = RipState()
        for record in h.records { _ = try replayed.apply(record) }
        #expect(replayed.snapshot(lastSequence: 0) == h.state.snapshot(lastSequence: 0))
    }

    @Test func anotherOwnersArtifactIsNotFoundAndAFullOwnerHasNoRoom() throws {
        var h = try ArtifactHarness()
        try h.create("art_1", owner: sessionA, sha: "x", size: 1)
        #expect(throws: RipError.self) { try h.state.artifacts.find("art_1", ownerID: sessionB) }
        #expect(throws: RipError.self) { try h.state.artifacts.find("", ownerID: sessionA) }
        #expect(throws: Never.self) { try h.state.artifacts.checkRoom(for: sessionA, limit: 2) }
        let full = try #require(throws: RipError.self) { try h.state.artifacts.checkRoom(for: sessionA, limit: 1) }
        #expect(full.code == .resourceExhausted)
        #expect(throws: RipError.self) { try h.create("art_1", owner: sessionA, sha: "z", size: 1) }
        #expect(h.state.nextCreatedSeq == 2, "a refused creation takes no creation sequence")
    }

    @Test func queriesPageNewestFirstByCreation() throws {
        var h = try ArtifactHarness()
        for n in 0..<5 { try h.create("art_\(9 - n)", owner: sessionA, sha: "s\(n)", size: UInt64(n), name: "p\(n).html") }
        var names: [String] = []
        var cursor = ""
        repeat {
            let page = try h.state.artifacts.query(.with { $0.limit = 2; $0.cursor = cursor; $0.nameGlob = "p?.html" }, ownerID: sessionA)
            names += page.artifacts.map(\.name)
            cursor = page.nextCursor
        } while !cursor.isEmpty
        #expect(names == ["p4.html", "p3.html", "p2.html", "p1.html", "p0.html"])
        for bad in ["not a cursor", "1.2", "18446744073709551616.0.art_1", "-1.0.art_1", "1.-9223372036854775809.x", String(repeating: "9", count: 100_000)] {
            let error = try #require(throws: RipError.self) { try h.state.artifacts.query(.with { $0.cursor = bad }, ownerID: sessionA) }
            #expect(error.code == .invalidArgument && error.message.utf8.count <= RipError.maxMessageBytes)
        }
        // The largest well-formed position lies beyond every item: the page holds them all.
        let past = try h.state.artifacts.query(.with { $0.cursor = "18446744073709551615.9223372036854775807.~" }, ownerID: sessionA)
        #expect(past.artifacts.count == 5 && past.nextCursor.isEmpty)
        #expect(throws: RipError.self) { try h.state.artifacts.query(.with { $0.limit = 1001 }, ownerID: sessionA) }
    }
}
