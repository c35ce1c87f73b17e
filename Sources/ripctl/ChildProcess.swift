import Foundation
import Synchronization

/// One run of the worker's shell command for one URL: `/bin/sh -c COMMAND sh URL`, stdout
/// captured (up to a limit), stderr handed over line by line as it arrives.
final class ChildProcess: Sendable {
    struct Outcome: Sendable {
        let status: Int32
        let output: Data
        let truncated: Bool
        let lastErrorLine: String
    }

    private let process = Mutex<Process?>(nil)

    /// Asks the command to stop (SIGTERM to the shell).
    func terminate() {
        process.withLock { process in
            if let process, process.isRunning { process.terminate() }
        }
    }

    func run(
        command: String, url: String, environment: [String: String], maxOutput: Int,
        onErrorLine: @escaping @Sendable (String) -> Void
    ) async throws -> Outcome {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", command, "sh", url]
        child.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        child.standardOutput = stdout
        child.standardError = stderr
        child.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Int32>.makeStream()
        child.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
        try child.run()
        process.withLock { $0 = child }
        async let output = Self.collect(stdout.fileHandleForReading, limit: maxOutput)
        async let lastLine = Self.lines(stderr.fileHandleForReading, onErrorLine)
        let (data, truncated) = await output
        let last = await lastLine
        var status: Int32 = -1
        for await code in exited.stream { status = code }
        return Outcome(status: status, output: data, truncated: truncated, lastErrorLine: last)
    }

    /// Reads to end of file on a background thread, keeping the first `limit` bytes.
    private static func collect(_ handle: FileHandle, limit: Int) async -> (Data, Bool) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var kept = Data()
                var truncated = false
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    let room = limit - kept.count
                    if chunk.count > room { truncated = true }
                    if room > 0 { kept.append(chunk.prefix(room)) }
                }
                continuation.resume(returning: (kept, truncated))
            }
        }
    }

    /// Hands over each line read, on a background thread; returns the last non-empty one.
    private static func lines(_ handle: FileHandle, _ body: @escaping @Sendable (String) -> Void) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var pending = Data()
                var last = ""
                func emit(_ line: Data) {
                    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
                    guard !text.isEmpty else { return }
                    last = text
                    body(text)
                }
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        emit(pending[pending.startIndex..<newline])
                        pending.removeSubrange(pending.startIndex...newline)
                    }
                }
                emit(pending)
                continuation.resume(returning: last)
            }
        }
    }
}
