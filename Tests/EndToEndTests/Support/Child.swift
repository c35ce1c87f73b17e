import Foundation
import Subprocess
import Synchronization
import SystemPackage
import Testing

/// A process a test starts, its stdout and stderr collected as they arrive, its exit awaited
/// without blocking a thread.
///
/// swift-subprocess spawns it: every descriptor but the child's 0, 1 and 2 is closed in the
/// child, and its pipes are close-on-exec from the moment they exist. Foundation's `Process`
/// did neither reliably when tests spawn in parallel: a pipe another test's thread opened while
/// it spawned leaked into the child (a long-lived daemon then held another test's output pipe
/// open, and that test's reader never saw end of file), and its scan of /proc/self/fd read past
/// the end of a directory buffer (a crash, once in a hundred runs).
final class Child: Sendable {
    let pid: pid_t
    let output = LogBuffer()
    let errors = LogBuffer()
    private let finished: Task<TerminationStatus, any Error>
    private let reaped: Flag

    private final class Flag: Sendable {
        let isSet = Atomic(false)
    }

    /// What the child reads on stdin.
    enum Input {
        /// /dev/null.
        case none
        case text(String)
        /// This descriptor (closed here once the child has it).
        case descriptor(FileDescriptor)
    }

    /// Starts `executable` and returns once it runs.
    init(_ executable: String, _ arguments: [String], input: Input = .none) async throws {
        let (pids, started) = AsyncThrowingStream.makeStream(of: pid_t.self)
        let reaped = Flag()
        self.reaped = reaped
        finished = switch input {
            case .none: Self.run(executable, arguments, NoInput.none, started, output, errors, reaped)
            case .text(let text):
                Self.run(executable, arguments, StringInput<String, UTF8>.string(text), started, output, errors, reaped)
            case .descriptor(let fd):
                Self.run(
                    executable, arguments, FileDescriptorInput.fileDescriptor(fd, closeAfterSpawningProcess: true),
                    started, output, errors, reaped)
            }
        var iterator = pids.makeAsyncIterator()
        guard let pid = try await iterator.next() else { throw CancellationError() }
        self.pid = pid
    }

    private static func run(
        _ executable: String, _ arguments: [String], _ input: some InputProtocol,
        _ started: AsyncThrowingStream<pid_t, any Error>.Continuation, _ output: LogBuffer, _ errors: LogBuffer,
        _ reaped: Flag
    ) -> Task<TerminationStatus, any Error> {
        Task {
            do {
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments), input: input, output: .sequence, error: .sequence
                ) { execution in
                    started.yield(execution.processIdentifier.value)
                    started.finish()
                    async let out: Void = output.collect(execution.standardOutput)
                    async let err: Void = errors.collect(execution.standardError)
                    _ = try await (out, err)
                }
                reaped.isSet.store(true, ordering: .relaxed)
                return result.terminationStatus
            } catch {
                started.finish(throwing: error)
                throw error
            }
        }
    }

    /// Whether it still runs (or has not been reaped yet).
    var isRunning: Bool { !reaped.isSet.load(ordering: .relaxed) }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for the exit and the end of both outputs.
    func exit() async throws -> TerminationStatus { try await finished.value }

    /// Waits for the exit, failing the test (and killing the child) after `timeout`.
    func exit(within timeout: Duration) async throws -> TerminationStatus {
        try await withThrowingTaskGroup(of: TerminationStatus?.self) { group in
            group.addTask { try await self.exit() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            Issue.record("\(pid) still running after \(timeout); stderr: \(errors.text)")
            signal(SIGKILL)
            return try await exit()
        }
    }

    deinit { signal(SIGKILL) }
}

extension TerminationStatus {
    /// As a shell reports it: the exit code, or 128 + the signal.
    var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
