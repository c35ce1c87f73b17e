import Foundation
import Subprocess

/// One run of the worker's shell command for one URL: `/bin/sh -c COMMAND sh URL` in a session
/// of its own, stdout kept (up to a limit), stderr handed over line by line as it arrives.
///
/// swift-subprocess starts it with a clean signal mask and default dispositions (a child of a
/// Swift process would otherwise inherit blocked signals and ignore SIGTERM). Cancelling the
/// calling task stops the command: SIGTERM to its whole process group (the shell and what it
/// started, curl included), SIGKILL two seconds later.
enum ChildProcess {
    struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended it (as shells report it).
        let status: Int32
        let output: Data
        let truncated: Bool
        let lastErrorLine: String
    }

    static func run(
        command: String, url: String, environment: [String: String], maxOutput: Int,
        onErrorLine: @escaping @Sendable (String) -> Void
    ) async throws -> Outcome {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            .path("/bin/sh"), arguments: ["-c", command, "sh", url], environment: .inherit.updating(overrides),
            platformOptions: options, input: .none, output: .sequence, error: .sequence
        ) { execution in
            async let kept = collect(execution.standardOutput, limit: maxOutput)
            async let last = lines(execution.standardError, onErrorLine)
            return (try await kept, try await last)
        }
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        let ((output, truncated), last) = result.closureResult
        return Outcome(status: status, output: output, truncated: truncated, lastErrorLine: last)
    }

    /// Reads to the end, keeping the first `limit` bytes.
    private static func collect(_ sequence: SubprocessOutputSequence, limit: Int) async throws -> (Data, Bool) {
        var kept = Data()
        var truncated = false
        for try await buffer in sequence {
            buffer.withUnsafeBytes { bytes in
                let room = limit - kept.count
                if bytes.count > room { truncated = true }
                if room > 0 { kept.append(contentsOf: bytes.prefix(room)) }
            }
        }
        return (kept, truncated)
    }

    /// Hands over each non-empty line; returns the last one.
    private static func lines(_ sequence: SubprocessOutputSequence, _ body: @Sendable (String) -> Void) async throws -> String {
        var pending = Data()
        var last = ""
        func emit(_ line: Data) {
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
            guard !text.isEmpty else { return }
            last = text
            body(text)
        }
        for try await buffer in sequence {
            buffer.withUnsafeBytes { pending.append(contentsOf: $0) }
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                emit(pending[pending.startIndex..<newline])
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        emit(pending)
        return last
    }
}
