import Foundation
import RipClient
import RipProto
import Synchronization
import Testing

/// A real ripd process on a private temporary socket, started from the binary this package
/// built, stopped (SIGTERM, then SIGKILL) when the test is done with it.
final class Daemon: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns the daemon; the log is
    // behind a Mutex because the pipe's reader appends to it from another thread.
    let directory: URL
    let socketPath: String
    /// Whether the daemon made `directory` (and removes it) or the test lent it.
    private let ownsDirectory: Bool
    let process = Process()
    private let log = LogBuffer()

    static var binaries: URL {
        // swift test runs the test bundle from the build directory that also holds ripd and ripctl.
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if FileManager.default.isExecutableFile(atPath: bundle.appendingPathComponent("ripd").path) { return bundle }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../.build/debug").standardizedFileURL
    }

    /// Starts ripd (as another user with `uid`, which needs root) and returns once it logs that
    /// it is listening.
    /// `launcher` runs ripd (e.g. prlimit with its arguments).
    init(
        arguments: [String] = [], socketPath: String? = nil, directory lent: URL? = nil, uid: UInt32? = nil,
        launcher: [String] = []
    ) async throws {
        let directory = lent ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("ripd-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.ownsDirectory = lent == nil
        self.socketPath = socketPath ?? directory.appendingPathComponent("run/ripd.sock").path
        let ripd = Self.binaries.appendingPathComponent("ripd")
        let ripdArguments = ["--socket", self.socketPath, "--data-dir", directory.appendingPathComponent("data").path] + arguments
        var command = launcher + [ripd.path] + ripdArguments
        if let uid {
            try FileManager.default.setAttributes([.ownerAccountID: uid], ofItemAtPath: directory.path)
            command = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + command
        }
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let stderr = Pipe()
        process.standardError = stderr
        // Nothing inherited from the test process: a daemon orphaned by a crashed test must not
        // hold `swift test`'s output pipe open.
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        log.capture(stderr)
        try process.run()
        try await waitForLog("ripd listening")
    }

    /// Everything ripd wrote to stderr so far, once it contains `text`; fails the test after
    /// `timeout`.
    @discardableResult
    func waitForLog(_ text: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await log.wait(for: text, timeout: timeout) { process.isRunning }
    }

    func client() async throws -> RipClient { try await RipClient.connect(to: socketPath) }

    /// Waits until the daemon reports `count` live server streams (a hang guard, not a bound).
    static func waitForStreams(_ count: UInt64, _ client: RipClient) async throws {
        try await waitFor("\(count) open streams", client) { $0.streamsOpen == count }
    }

    /// Waits until the daemon reports `count` parked claims.
    static func waitForParkedClaims(_ count: UInt64, _ client: RipClient) async throws {
        try await waitFor("\(count) parked claims", client) { $0.claimsWaiting == count }
    }

    /// Waits until the daemon reports `count` connections it stopped reading (backpressure).
    static func waitForPausedConnections(_ count: UInt64, _ client: RipClient) async throws {
        try await waitFor("\(count) paused connections", client) { $0.connectionsPaused == count }
    }

    /// Peak resident memory (VmHWM) of the daemon so far, in bytes.
    func peakMemory() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// Asks `AdminService/Info` until `condition` holds; fails the test after a minute.
    static func waitFor(
        _ what: String, _ client: RipClient, _ condition: (RipInfoResponse) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(try await client.info()) {
            try #require(ContinuousClock.now < deadline, "the daemon never reported \(what)")
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Runs ripd (or a ripd subcommand such as `check`) to completion, for starts that are
    /// expected to fail; returns its exit status and output.
    static func runToExit(_ arguments: [String]) async throws -> Ripctl.Result {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent("ripd")
        process.arguments = arguments
        return try await runToCompletion(process, stdin: nil)
    }

    /// Sends `signal` and waits for the exit status, on a thread of its own.
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        let process = self.process
        if process.isRunning { kill(process.processIdentifier, signal) }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }
}

/// Text a child process writes to a pipe, appended by the pipe's reader thread.
final class LogBuffer: Sendable {
    let text = Mutex("")
    /// Set once the pipe reached end of file: every chunk is in `text`.
    private let ended = Atomic<Bool>(false)

    /// Starts collecting what is written to `pipe`.
    func capture(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                handle.readabilityHandler = nil  // end of file: the writer is gone; stop watching
                ended.store(true, ordering: .releasing)
                return
            }
            text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
        }
    }

    /// Returns once the writer closed the pipe and all it wrote is in `text`; fails the test
    /// after `timeout`.
    func waitForEnd(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !ended.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else {
                Issue.record("the pipe was not closed within \(timeout)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The text so far, once it contains `needle`; fails the test after `timeout` or when
    /// `alive` says the writer is gone.
    func wait(for needle: String, timeout: Duration, alive: () -> Bool = { true }) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = text.withLock { $0 }
            if current.contains(needle) { return current }
            guard ContinuousClock.now < deadline, alive() else {
                Issue.record("'\(needle)' did not appear within \(timeout); output so far:\n\(current)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Runs ripctl against a daemon and captures what it prints.
struct Ripctl {
    let socketPath: String

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        /// stdout parsed as one JSON object.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    func callAsFunction(_ arguments: String..., stdin: String? = nil) async throws -> Result {
        try await run(arguments, stdin: stdin)
    }

    /// Runs ripctl with `arguments`, then `--socket` unless `addSocket` is false. The waiting
    /// (both pipes read to their end at once, then the exit) happens on a thread of its own: a
    /// test blocking Swift's small cooperative pool could starve every other test running.
    func run(_ arguments: [String], stdin: String? = nil, asUser uid: Int? = nil, addSocket: Bool = true) async throws -> Result {
        let process = Process()
        let ripctl = Daemon.binaries.appendingPathComponent("ripctl").path
        let arguments = arguments + (addSocket ? ["--socket", socketPath] : [])
        if let uid {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", ripctl] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: ripctl)
            process.arguments = arguments
        }
        return try await runToCompletion(process, stdin: stdin)
    }
}

/// Runs `process` to its exit with `stdin` as its input, reading stdout and stderr to their
/// ends at once (a child that fills one pipe never blocks on it). The waiting happens on
/// threads of its own: a test blocking Swift's small cooperative pool could starve every
/// other test running.
func runToCompletion(_ process: Process, stdin: String?) async throws -> Ripctl.Result {
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    return await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            let stderr = PipeData()
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                stderr.data = err.fileHandleForReading.readDataToEndOfFile()
                done.signal()
            }
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            done.wait()  // orders the reader thread's write before the read below
            process.waitUntilExit()
            continuation.resume(returning: Ripctl.Result(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr.data, as: UTF8.self)))
        }
    }
}

/// What one thread read from a pipe, handed to another after a semaphore.
private final class PipeData: @unchecked Sendable {
    var data = Data()
}
