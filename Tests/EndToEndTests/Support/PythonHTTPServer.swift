import Foundation

/// An HTTP server on 127.0.0.1 run by a Python script that prints its port on its first line;
/// stopped when the test is done with it.
final class PythonHTTPServer: @unchecked Sendable {
    // @unchecked: the process is only touched by the test that owns the server.
    let process = Process()
    let port: Int

    init(script: String, arguments: [String] = []) throws {
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script] + arguments
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            line.append(first)
        }
        port = Int(String(decoding: line, as: UTF8.self)) ?? 0
    }

    deinit { process.terminate() }
}
