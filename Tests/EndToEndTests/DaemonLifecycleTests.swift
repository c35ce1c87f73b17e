import Foundation
import Subprocess
import RipClient
import Testing

@Suite("Daemon lifecycle")
struct DaemonLifecycleTests {
    @Test("the socket is 0600 in a 0700 directory")
    func permissions() async throws {
        let daemon = try await Daemon()
        let socket = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)
        let directory = try FileManager.default.attributesOfItem(
            atPath: (daemon.socketPath as NSString).deletingLastPathComponent)
        #expect((socket[.posixPermissions] as? Int) == 0o600)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
    }

    @Test("a second ripd on a served socket refuses to start; a stale socket file is replaced")
    func secondDaemonAndStaleSocket() async throws {
        let first = try await Daemon()
        let second = try await Daemon.runToExit(
            ["--socket", first.socketPath, "--data-dir", first.directory.appendingPathComponent("d2").path])
        #expect(second.status != 0)
        #expect(second.stderr.contains("already serving"))
        #expect(try await first.client().health().status == "SERVING")

        #expect(try await first.stop(signal: SIGKILL) == .signaled(SIGKILL))
        #expect(FileManager.default.fileExists(atPath: first.socketPath))  // left behind by the crash
        let third = try await Daemon(socketPath: first.socketPath, directory: first.directory)
        #expect(try await third.client().health().status == "SERVING")
    }

    @Test("clients refuse a ripd served by another uid unless told to trust it")
    func daemonOfAnotherUser() async throws {
        try #require(getuid() == 0, "running ripd as another uid needs root")
        let daemon = try await Daemon(uid: 65534)
        let error = await #expect(throws: RipError.self) { _ = try await RipClient.connect(to: daemon.socketPath) }
        #expect(error?.code == .permissionDenied && error?.message.contains("uid 65534") == true)
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let refused = try await ripctl("status")
        #expect(refused.status == 1 && refused.stderr.contains("--trust-uid 65534"), "\(refused.stderr)")
        #expect(try await ripctl("status", "--trust-uid", "65534").status == 0)
        let client = try await RipClient.connect(to: daemon.socketPath, trustedUIDs: [65534])
        #expect(try await client.health().status == "SERVING")
    }

    @Test("ripd refuses a data directory others may write or own, a symlinked LOCK, and a socket path that is not a socket")
    func unsafeFiles() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-unsafe-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data").path
        let socket = root.appendingPathComponent("ripd.sock").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        func start() async throws -> Ripctl.Result {
            try await Daemon.runToExit(["--socket", socket, "--data-dir", data])
        }

        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: data)
        let writable = try await start()
        #expect(writable.status != 0 && writable.stderr.contains("chmod go-w"), "\(writable.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: data)

        if getuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountID: 65534], ofItemAtPath: data)
            let foreign = try await start()
            #expect(foreign.status != 0 && foreign.stderr.contains("belongs to uid 65534"), "\(foreign.stderr)")
            try FileManager.default.setAttributes([.ownerAccountID: 0], ofItemAtPath: data)
        }

        let target = root.appendingPathComponent("victim").path
        #expect(FileManager.default.createFile(atPath: target, contents: Data("keep me".utf8)))
        try FileManager.default.createSymbolicLink(atPath: data + "/LOCK", withDestinationPath: target)
        let symlinked = try await start()
        #expect(symlinked.status != 0 && symlinked.stderr.contains("LOCK"), "\(symlinked.stderr)")
        #expect(FileManager.default.contents(atPath: target) == Data("keep me".utf8))
        try FileManager.default.removeItem(atPath: data + "/LOCK")

        #expect(FileManager.default.createFile(atPath: socket, contents: Data("not a socket".utf8)))
        let occupied = try await start()
        #expect(occupied.status != 0 && occupied.stderr.contains("is not a socket"), "\(occupied.stderr)")
        #expect(FileManager.default.contents(atPath: socket) == Data("not a socket".utf8))
    }

    @Test("SIGTERM ends open streams with UNAVAILABLE, removes the socket and exits 0")
    func gracefulShutdown() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        let stream = try await client.watchSessions()
        _ = try await client.health()
        #expect(try await daemon.stop(signal: SIGTERM) == .exited(0))
        let ending = await #expect(throws: RipError.self) {
            for try await _ in stream {}
        }
        #expect(ending?.code == .unavailable)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        let unreachable = await #expect(throws: RipError.self) { _ = try await RipClient.connect(to: daemon.socketPath) }
        #expect(unreachable?.code == .unavailable)
    }

    @Test("a peer with another uid is refused with PERMISSION_DENIED unless admitted")
    func peerCredentials() async throws {
        try #require(getuid() == 0, "switching to other uids needs root")
        let daemon = try await Daemon(arguments: ["--allow-uid", "65533"])
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let socketMode = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)[.posixPermissions] as? Int
        #expect(socketMode == 0o666)  // widened: the credential check is the gate
        let refused = try await ripctl.run(["status"], asUser: 65534)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("PERMISSION_DENIED") && refused.stderr.contains("65534"), "\(refused.stderr)")
        let admitted = try await ripctl.run(["status", "--json"], asUser: 65533)
        #expect(admitted.status == 0)
        #expect(admitted.json["version"] as? String != nil)
        let log = try await daemon.waitForLog("refused connection")
        #expect(log.contains("uid 65534"))
    }
}
