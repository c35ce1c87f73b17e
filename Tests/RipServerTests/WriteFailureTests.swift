import Foundation
import NIOCore
import NIOPosix
import RipCore
import RipEngine
import RipProto
import RipServer
import RipStorage
import RipWire
import Synchronization
import Testing

/// The real file system, except that writes fail with ENOSPC while `full` is set, the next
/// `syncFailures` fdatasyncs fail with EIO, and ftruncate fails while `truncateFails` is set.
final class FillableDisk: FileLayer {
    let full = Atomic<Bool>(false)
    let syncFailures = Atomic<Int>(0)
    let truncateFails = Atomic<Bool>(false)

    func openForAppend(_ path: String) throws -> any AppendFile {
        FillableFile(base: try PosixFileLayer().openForAppend(path), disk: self)
    }

    func syncDirectory(_ path: String) throws { try PosixFileLayer().syncDirectory(path) }
}

final class FillableFile: AppendFile {
    let base: any AppendFile
    let disk: FillableDisk

    init(base: any AppendFile, disk: FillableDisk) {
        self.base = base
        self.disk = disk
    }

    func write(_ bytes: [UInt8]) throws {
        if disk.full.load(ordering: .relaxed) {
            try base.write(Array(bytes.prefix(bytes.count / 2)))  // a partial write, then the disk is full
            throw StorageError("write failed: No space left on device")
        }
        try base.write(bytes)
    }

    func sync() throws {
        if disk.syncFailures.load(ordering: .relaxed) > 0 {
            disk.syncFailures.subtract(1, ordering: .relaxed)
            throw StorageError("fdatasync failed: Input/output error")
        }
        try base.sync()
    }

    func truncate(to size: Int) throws {
        if disk.truncateFails.load(ordering: .relaxed) { throw StorageError("ftruncate failed: Input/output error") }
        try base.truncate(to: size)
    }
    func close() { base.close() }
}

/// Creates session `name` through `store` and waits until the change is durable (or failed).
func create(_ store: any StateEngine, _ name: String) async throws {
    let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
    try store.commit(.with {
        $0.createSession = .with { $0.name = name }
        $0.newSessionID = RipID.session.generate()
        $0.sessionLimit.maxSessions = 100
    }, durability: Durability(promise))
    try await promise.futureResult.get()
}

@Suite("Write failures")
struct WriteFailureTests {
    @Test("a failed append fails its call, leaves no trace in state or log, and writes resume when space returns")
    func diskFull() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-full-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let disk = FillableDisk()
        var configuration = Storage.Configuration(directory: directory)
        configuration.log.fileLayer = disk

        func names(_ store: any StateEngine) throws -> [String] {
            try store.read { state, now in try state.sessions.list(.init(), now: now).map(\.name) }
        }

        do {
            let storage = try Storage(configuration: configuration) { _ in }
            let store = EmbeddedEngine(state: storage.recovered.state, journal: storage.log)
            storage.attach(store)
            for name in ["a", "b", "c"] { try await create(store, name) }

            disk.full.store(true, ordering: .relaxed)
            let error = await #expect(throws: RipError.self) { try await create(store, "lost") }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("No space left on device") == true)
            #expect(try names(store) == ["a", "b", "c"])  // rolled back to what is on disk

            disk.full.store(false, ordering: .relaxed)
            try await create(store, "d")
            #expect(try names(store) == ["a", "b", "c", "d"])
            try await storage.close()
        }
        let recovered = try Recovery.run(directory: directory, repair: false) { _ in }
        #expect(try recovered.state.sessions.list(.init(), now: 0).map(\.name) == ["a", "b", "c", "d"])
        #expect(recovered.tail.nextSequence == 5)
    }

    @Test("a failed fdatasync cuts its batch off before the call fails: the change never reappears; a cut that fails stops the daemon")
    func failedSync() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-eio-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let disk = FillableDisk()
        let fatal = Mutex<[String]>([])
        var configuration = Storage.Configuration(directory: directory)
        configuration.log.fileLayer = disk
        configuration.log.onFatal = { message in fatal.withLock { $0.append(message) } }

        do {
            let storage = try Storage(configuration: configuration) { _ in }
            let store = EmbeddedEngine(state: storage.recovered.state, journal: storage.log)
            storage.attach(store)
            try await create(store, "kept")

            disk.syncFailures.store(1, ordering: .relaxed)
            let failed = await #expect(throws: RipError.self) { try await create(store, "failed") }
            #expect(failed?.code == .unavailable && failed?.message.contains("fdatasync") == true)
            #expect(fatal.withLock { $0.isEmpty }, "a cut that worked is not fatal")
            try await create(store, "after")

            // Neither the fdatasync nor the cut works: the daemon must stop, the batch is not
            // reported as failed by the log (its outcome is unknown).
            disk.syncFailures.store(1, ordering: .relaxed)
            disk.truncateFails.store(true, ordering: .relaxed)
            _ = try? await create(store, "unknown")
            #expect(fatal.withLock { $0.count } == 1 && fatal.withLock { $0.first?.contains("could not be cut off") == true })
            disk.truncateFails.store(false, ordering: .relaxed)
            try? await storage.close()
        }
        let recovered = try Recovery.run(directory: directory, repair: false) { _ in }
        let names = try recovered.state.sessions.list(.init(), now: 0).map(\.name)
        #expect(names.starts(with: ["kept", "after"]) && !names.contains("failed"))
    }
}
