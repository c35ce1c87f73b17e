import Foundation
import Logging
import PostgresNIO
import RipBase
import RipCore
import RipEngine
import RipPostgres
import RipProto
import RipStorage
import Synchronization
import Testing

/// What every `StateEngine` must do, run against each engine there is: the embedded engine in
/// memory only and on the write-ahead log, and the shared engine on PostgreSQL (the private
/// server tools/test starts; RIPD_TEST_POSTGRES names its socket directory). Another engine
/// joins by adding itself to `all`. Changes are made in turns (`inTurn`), as a daemon makes them.
struct EngineUnderTest: Sendable, CustomTestStringConvertible {
    let name: String
    /// Whether what it acknowledged survives reopening the same directory.
    let isDurable: Bool
    let open: @Sendable (_ directory: String) async throws -> OpenEngine

    var testDescription: String { name }

    static let memory = EngineUnderTest(name: "embedded, in memory", isDurable: false) { _ in
        OpenEngine(engine: EmbeddedEngine(), close: {})
    }

    static let writeAheadLog = EngineUnderTest(name: "embedded, on the write-ahead log", isDurable: true) { directory in
        let storage = try Storage(configuration: .init(directory: directory)) { _ in }
        let engine = EmbeddedEngine(state: storage.recovered.state, journal: storage.log)
        storage.attach(engine)
        return OpenEngine(engine: engine, close: { try await storage.close() })
    }

    /// A database per directory: reopening the directory reopens the database.
    static let shared = EngineUnderTest(name: "shared, on PostgreSQL", isDurable: true) { directory in
        let location = try await TestDatabase.location(for: directory)
        let engine = try await PostgresEngine(location: location, logger: Logger(label: "conformance"))
        let running = Task { try await engine.run() }
        return OpenEngine(engine: engine, close: {
            running.cancel()
            try await running.value
        })
    }

    static let all = [memory, writeAheadLog, shared]
    static let durable = all.filter(\.isDurable)
}

/// The databases of the shared engine's runs, on the private test server.
enum TestDatabase {
    /// The database for `directory` (made on first use).
    static func location(for directory: String) async throws -> PostgresLocation {
        let server = ProcessInfo.processInfo.environment["RIPD_TEST_POSTGRES"] ?? ""
        guard !server.isEmpty else {
            throw PostgresStoreError(
                "the shared engine's tests need a PostgreSQL server: run tools/test, or "
                    + "`export RIPD_TEST_POSTGRES=$(tools/postgres-private start)`")
        }
        let name = "ripd_engine_" + directory.split(separator: "-").last!.lowercased()
        let admin = try PostgresLocation("postgresql://ripd@/postgres?host=\(server)")
        let connection = try await PostgresConnection.connect(configuration: admin.configuration, id: 1, logger: Logger(label: "conformance"))
        do {
            let rows = try await connection.query("SELECT count(*) FROM pg_database WHERE datname = \(name)", logger: Logger(label: "conformance"))
            var exists = false
            for try await count in rows.decode(Int64.self) { exists = count > 0 }
            if !exists {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "conformance"))
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        return try PostgresLocation("postgresql://ripd@/\(name)?host=\(server)")
    }
}

struct OpenEngine: Sendable {
    let engine: any StateEngine
    let close: @Sendable () async throws -> Void
}

/// A value that tasks and watchers share.
private final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) { self.value = Mutex(value) }

    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}

/// A fresh directory for one test, removed when it ends.
private func withDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-engine-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try await body(directory)
}

/// Opens `under` in a fresh directory, runs `body` against its engine, and closes it.
private func withEngine(_ under: EngineUnderTest, _ body: (any StateEngine) async throws -> Void) async throws {
    try await withDirectory { directory in
        let open = try await under.open(directory)
        try await body(open.engine)
        try await open.close()
    }
}

private func creation(_ name: String) -> RipMutation {
    .with {
        $0.createSession = .with { $0.name = name }
        $0.newSessionID = RipID.session.generate()
        $0.sessionLimit.maxSessions = 10_000
    }
}

/// Commits `mutation` in a turn and returns once the engine says it is durable.
private func commitDurably(_ engine: any StateEngine, _ mutation: RipMutation) async throws -> Applied {
    let (durable, report) = AsyncStream.makeStream(of: Result<Void, any Error>.self)
    let applied = try await engine.inTurn {
        try engine.commit(mutation, durability: Durability(runner: nil) { report.yield($0); report.finish() })
    }
    for await result in durable { try result.get() }
    return applied
}

private func sessionNames(_ engine: any StateEngine) throws -> [String] {
    try engine.read { state, now in try state.sessions.list(.init(), now: now).map(\.name) }.sorted()
}

@Suite("State engine conformance")
struct EngineConformanceTests {
    @Test("a commit is seen by the next read, numbered once, and reported durable", arguments: EngineUnderTest.all)
    func commitThenRead(_ under: EngineUnderTest) async throws {
        try await withEngine(under) { engine in
        let before = engine.snapshot().lastSequence
        let applied = try await commitDurably(engine, creation("first"))
        #expect(applied.session.name == "first" && applied.events.map(\.kind) == [.created])
        #expect(try sessionNames(engine) == ["first"])
        let after = engine.snapshot()
        #expect(after.lastSequence == before + (engine.isJournaled ? 1 : 0))
        #expect(try after.state.sessions.list(.init(), now: engine.clock()).map(\.name) == ["first"])
        }
    }

    @Test("a change that throws changes nothing, journals nothing and publishes nothing", arguments: EngineUnderTest.all)
    func failedChange(_ under: EngineUnderTest) async throws {
        try await withEngine(under) { engine in
        _ = try await commitDurably(engine, creation("kept"))
        let published = Atomic(0)
        let (token, _) = try engine.watch(starting: { _, _ in }) { _ in published.add(1, ordering: .relaxed) }
        let sequence = engine.snapshot().lastSequence
        await #expect(throws: RipError.self) { try await engine.inTurn { try engine.commit(creation("kept")) } }  // the name is taken
        await #expect(throws: RipError.self) {
            try await engine.inTurn { try engine.commit(.with { $0.deleteSessions = .with { $0.sessions = ["no such session"] } }) }
        }
        #expect(engine.snapshot().lastSequence == sequence)
        #expect(try sessionNames(engine) == ["kept"])
        #expect(published.load(ordering: .relaxed) == 0)
        engine.unwatch(token)
        }
    }

    @Test("a change that changes nothing is durable at once and not journaled", arguments: EngineUnderTest.all)
    func emptyChange(_ under: EngineUnderTest) async throws {
        try await withEngine(under) { engine in
        let sequence = engine.snapshot().lastSequence
        let (extra, wasReported) = try await engine.inTurn {
            let reported = Atomic(false)
            let (_, extra) = try engine.commit(
                changing: { _, _ in (nil, Applied(), "unchanged") },
                durability: Durability(runner: nil) { result in
                    if case .success = result { reported.store(true, ordering: .relaxed) }
                })
            return (extra, reported.load(ordering: .relaxed))
        }
        #expect(extra == "unchanged")
        #expect(wasReported, "durability was not reported at once")
        #expect(engine.snapshot().lastSequence == sequence)
        }
    }

    @Test(
        "watchers see every change in apply order; one that starts late sees exactly what follows its start",
        arguments: EngineUnderTest.all)
    func watchOrder(_ under: EngineUnderTest) async throws {
        try await withEngine(under) { engine in
        let early = Shared<[String]>([]), late = Shared<[String]>([])
        let (earlyToken, _) = try engine.watch(starting: { _, _ in }) { applied in
            early.withLock { $0 += applied.events.map(\.session.name) }
        }
        // Four writers at once; the late watcher registers in the middle of their work.
        let lateStart = Shared<[String]?>(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for n in 0..<50 {
                        _ = try await commitDurably(engine, creation("w\(writer)-\(n)"))
                        if writer == 0 && n == 25 {
                            let (_, seen) = try engine.watch(starting: { state, now in
                                try state.sessions.list(.init(), now: now).map(\.name)
                            }) { applied in late.withLock { $0 += applied.events.map(\.session.name) } }
                            lateStart.withLock { $0 = seen }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        engine.unwatch(earlyToken)
        _ = try await commitDurably(engine, creation("after unwatch"))
        let all = early.withLock { $0 }, tail = late.withLock { $0 }
        let seenAtStart = try #require(lateStart.withLock { $0 })
        #expect(all.count == 200 && Set(all).count == 200, "the early watcher missed or repeated changes")
        #expect(tail.last == "after unwatch")
        let lateBeforeUnwatch = Array(tail.dropLast())
        #expect(Array(all.suffix(lateBeforeUnwatch.count)) == lateBeforeUnwatch, "watchers disagree on the order")
        #expect(seenAtStart.count + tail.count == 201, "the late watcher's start and its events overlap or leave a gap")
        #expect(Set(seenAtStart).union(tail) == Set(all).union(["after unwatch"]))
        }
    }

    @Test("what a durable engine acknowledged is there after it is reopened", arguments: EngineUnderTest.durable)
    func reopen(_ under: EngineUnderTest) async throws {
        try await withDirectory { directory in
            var expected: ([String], UInt64) = ([], 0)
            do {
                let open = try await under.open(directory)
                for n in 0..<20 { _ = try await commitDurably(open.engine, creation("s\(n)")) }
                expected = (try sessionNames(open.engine), open.engine.snapshot().lastSequence)
                try await open.close()
            }  // the engine and its directory lock go here
            let open = try await under.open(directory)
            #expect(try sessionNames(open.engine) == expected.0 && expected.0.count == 20)
            #expect(open.engine.snapshot().lastSequence == expected.1)
            try await open.close()
        }
    }
}
