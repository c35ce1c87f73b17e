import Foundation
import SystemPackage

/// An HTTP server on 127.0.0.1 run by a Python script that prints its port on its first line;
/// killed when the test is done with it, and gone by itself if the test process dies first.
final class PythonHTTPServer: Sendable {
    let process: Child
    let port: Int
    /// The write end of the server's stdin: it exits when this closes, so a crashed test leaves
    /// no server behind.
    private let lifeline: FileDescriptor

    /// Runs before `script`: a thread that ends the interpreter at once when stdin reaches end of
    /// file.
    private static let watchdog = """
        import os as _os, sys as _sys, threading as _threading
        _threading.Thread(target=lambda: (_sys.stdin.buffer.read(), _os._exit(0)), daemon=True).start()

        """

    init(script: String, arguments: [String] = []) async throws {
        let (stdin, lifeline) = try FileDescriptor.pipe(options: .closeOnExec)
        self.lifeline = lifeline
        process = try await Child("/usr/bin/python3", ["-c", Self.watchdog + script] + arguments, input: .descriptor(stdin))
        let first = try await process.output.wait(for: "\n", timeout: .seconds(60))
        port = Int(first.prefix { $0 != "\n" }) ?? 0
    }

    deinit { try? lifeline.close() }
}
