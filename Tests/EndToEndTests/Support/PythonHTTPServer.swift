import Foundation

/// An HTTP server on 127.0.0.1 run by a Python script that prints its port on its first line;
/// killed when the test is done with it, and gone by itself if the test process dies first.
final class PythonHTTPServer: @unchecked Sendable {
    // @unchecked: the process is only touched by the test that owns the server.
    let process = Process()
    let port: Int
    /// The server's stdin: it exits when this closes, so a crashed test leaves no server behind.
    private let lifeline = Pipe()

    /// Runs before `script`: a thread that ends the interpreter at once when stdin reaches end of
    /// file. (SIGTERM is no way to stop it: a child of the test process inherits a blocked signal
    /// mask.)
    private static let watchdog = """
        import os as _os, sys as _sys, threading as _threading
        _threading.Thread(target=lambda: (_sys.stdin.buffer.read(), _os._exit(0)), daemon=True).start()

        """

    init(script: String, arguments: [String] = []) throws {
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.watchdog + script] + arguments
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = lifeline
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            line.append(first)
        }
        port = Int(String(decoding: line, as: UTF8.self)) ?? 0
    }

    deinit {
        try? lifeline.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
