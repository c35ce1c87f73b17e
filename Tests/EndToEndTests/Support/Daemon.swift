import Foundation
import RipClient
import RipProto
import Subprocess
import Synchronization
import Testing

/// A real ripd process on a private temporary socket, started from the binary this package
/// built, stopped (SIGTERM, then SIGKILL) when the test is done with it.
final class Daemon: Sendable {
    let directory: URL
    let socketPath: String
    /// Whether the daemon made `directory` (and removes it) or the test lent it.
    private let ownsDirectory: Bool
    /// ripd, its stderr the log the tests read.
    let process: Child
    /// The shared store it was started on (`--store`); nil: the embedded store.
    let store: String?

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
        var arguments = arguments
        if ProcessInfo.processInfo.environment["RIPD_TEST_STORE"] == "postgresql", !arguments.contains("--store") {
            // The suite again on the shared store: a database per data directory, so a daemon
            // restarted on the same directory finds its state, as the embedded store would.
            // Round trips get a minute, not 10 s: this pass runs some forty debug daemons on one
            // PostgreSQL server at once on two cores (load average about 30), where a first
            // change was seen taking 14 s end to end, and one append over 10 s failed a run.
            // The bound itself is tested where it is the subject (SharedStoreTests.databaseHangs).
            arguments += ["--store", try await PostgresServer.shared().database(for: directory)]
            if !arguments.contains("--store-timeout") { arguments += ["--store-timeout", "60"] }
        }
        store = arguments.firstIndex(of: "--store").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        let ripdArguments = ["--socket", self.socketPath, "--data-dir", directory.appendingPathComponent("data").path] + arguments
        var command = launcher + [ripd.path] + ripdArguments
        if let uid {
            try FileManager.default.setAttributes([.ownerAccountID: uid], ofItemAtPath: directory.path)
            command = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + command
        }
        // Nothing inherited from the test process: a daemon orphaned by a crashed test must not
        // hold `swift test`'s output pipe open.
        process = try await Child(command[0], Array(command.dropFirst()))
        try await waitForLog("ripd listening")
    }

    /// Everything ripd wrote to stderr so far, once it contains `text`; fails the test after
    /// `timeout`.
    @discardableResult
    func waitForLog(_ text: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await process.errors.wait(for: text, timeout: timeout)
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
        let status = try String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)
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
        try await runToCompletion(binaries.appendingPathComponent("ripd").path, arguments, stdin: nil)
    }

    /// Sends `signal` and waits for the exit.
    func stop(signal: Int32 = SIGTERM) async throws -> TerminationStatus {
        process.signal(signal)
        return try await process.exit()
    }

    deinit {
        // The child is killed as it goes; its directory need not wait for that.
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
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
        let ripctl = Daemon.binaries.appendingPathComponent("ripctl").path
        let arguments = arguments + (addSocket ? ["--socket", socketPath] : [])
        guard let uid else { return try await runToCompletion(ripctl, arguments, stdin: stdin) }
        return try await runToCompletion(
            "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", ripctl] + arguments, stdin: stdin)
    }
}

/// Runs `executable` to its exit with `stdin` as its input (/dev/null without), collecting
/// stdout and stderr as they come (a child that fills one pipe never blocks on it).
func runToCompletion(_ executable: String, _ arguments: [String], stdin: String?) async throws -> Ripctl.Result {
    let child = try await Child(executable, arguments, input: stdin.map { .text($0) } ?? .none)
    let status = try await child.exit()
    return Ripctl.Result(status: status.shellStatus, stdout: child.output.text, stderr: child.errors.text)
}
