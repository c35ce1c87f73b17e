import Foundation
import Testing

@Suite("ripctl against a real ripd")
struct RipctlTests {
    @Test("every session command works and --json gives machine-readable output")
    func sessionCommands() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let headers = daemon.directory.appendingPathComponent("headers.json")
        try Data(#"{"Authorization": "Bearer t"}"#.utf8).write(to: headers)

        let new = try await ripctl("session", "new", "--name", "prod", "--description", "Prod", "--tags", "a,b",
            "--user-agent", "Bot/1.0", "--timeout", "60", "--headers", headers.path, "--json")
        #expect(new.status == 0, "\(new.stderr)")
        let id = try #require(new.json["id"] as? String)
        // Credentials are masked unless asked for, in tables and JSON alike.
        #expect((new.json["headers"] as? [String: String]) == ["Authorization": "<hidden: --show-secrets>"])
        #expect(!(try await ripctl("session", "show", "--name", "prod").stdout.contains("Bearer")))
        #expect(try await ripctl("session", "show", "--name", "prod", "--show-secrets").stdout.contains("Authorization: Bearer t"))
        #expect(try await ripctl("session", "new", "--name", "kid", "--parent", "prod").status == 0)

        let table = try await ripctl("session", "list")
        #expect(table.stdout.hasPrefix("NAME") && table.stdout.contains("prod") && table.stdout.contains(id))
        let listed = try await ripctl("session", "list", "--parent", "prod", "--json").json["sessions"] as? [[String: Any]]
        #expect(listed?.map { $0["name"] as? String } == ["kid"])
        #expect(try await ripctl("session", "list", "--tag", "a", "--detailed").stdout.contains("user agent:  Bot/1.0"))
        #expect(try await ripctl("session", "show", "--name", id).stdout.contains("name:        prod"))

        #expect(try await ripctl("session", "update", "--name", "prod", "--add-tags", "c", "--remove-tags", "a",
            "--description", "Changed", "--json").json["tags"] as? [String] == ["b", "c"])
        #expect(try await ripctl("session", "add-headers", "--name", "prod", "--header-name", "X-K",
            "--header-value", "v", "--json", "--show-secrets").json["headers"] as? [String: String] == ["Authorization": "Bearer t", "X-K": "v"])
        #expect(try await ripctl("session", "remove-headers", "--name", "prod", "--header-name", "x-k", "--json", "--show-secrets")
            .json["headers"] as? [String: String] == ["Authorization": "Bearer t"])

        #expect(try await ripctl("session", "use", "--name", "prod").stdout.contains("using session prod"))
        #expect(try await ripctl("session", "current").stdout.contains("prod (\(id))"))
        #expect(try await ripctl("session", "use", "--name", "made", "--create").status == 0)

        #expect(try await ripctl("session", "record-request", "--name", "prod", "--url", "https://e.example/", "--success").status == 0)
        let recorded = try await ripctl("session", "record-request", "--name", "prod", "--url", "https://e.example/2", "--error", "--json")
        let metadata = recorded.json["metadata"] as? [String: Any]
        #expect(metadata?["requests_count"] as? String == "2" && metadata?["error_count"] as? String == "1")
        let stats = try await ripctl("session", "stats", "--name", "prod", "--json").json
        #expect(stats["success_rate"] as? Double == 0.5)
        #expect(try await ripctl("session", "stats").stdout.contains("sessions:     3"))

        let clone = try await ripctl("session", "clone", "--from", "prod", "--to", "copy", "--headers", "false", "--json")
        #expect(clone.json["name"] as? String == "copy" && clone.json["headers"] == nil)
        #expect(try await ripctl("session", "clear", "--name", "prod", "--headers", "--json").json["headers"] == nil)
        #expect(try await ripctl("session", "extend", "--name", "prod", "--minutes", "10").stdout.contains("now expires"))

        #expect(try await ripctl("session", "suspend", "--name", "kid").stdout.contains("suspended"))
        #expect(try await ripctl("session", "resume", "--name", "kid").stdout.contains("resumed"))
        #expect(try await ripctl("session", "complete", "--name", "kid").stdout.contains("completed"))
        let failed = try await ripctl("session", "fail", "--name", "copy", "--reason", "blocked", "--json")
        #expect(failed.json["state"] as? String == "SESSION_STATE_FAILED" && failed.json["failure_reason"] as? String == "blocked")
        #expect(try await ripctl("session", "cleanup").stdout.contains("removed 0 expired sessions"))

        let refused = try await ripctl("session", "rm", "--name", "copy")
        #expect(refused.status == 1 && refused.stderr.contains("--force"))
        #expect(try await ripctl("session", "rm", "--name", "copy", "--force").stdout.contains("removed session copy"))
        #expect(try await ripctl("session", "rm", "--tag", "b", "--force", "--json").json["deleted"] as? [[String: Any]] != nil)
        #expect(try await ripctl("session", "show", "--name", "prod").status == 1)
    }

    @Test("export writes the sessions.json shape, import restores it, in JSON and YAML")
    func exportImport() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        _ = try await ripctl("session", "new", "--name", "prod", "--tags", "x", "--timeout", "30")
        _ = try await ripctl("session", "add-headers", "--name", "prod", "--header-name", "A", "--header-value", "1")
        _ = try await ripctl("session", "record-request", "--name", "prod", "--url", "https://e.example/", "--success")
        _ = try await ripctl("session", "use", "--name", "prod")
        for format in ["json", "yaml"] {
            let file = daemon.directory.appendingPathComponent("s.\(format)").path
            #expect(try await ripctl("session", "export", "--name", "prod", "--output", file, "--include-cookies", "false").status == 0)
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains("current_session") && text.contains("requests_count") && !text.contains("cookies"))
            let imported = try await ripctl("session", "import", "--input", file, "--name", "copy-\(format)", "--json")
            #expect(imported.status == 0, "\(imported.stderr)")
            let session = (imported.json["sessions"] as? [[String: Any]])?.first
            #expect(session?["headers"] as? [String: String] == ["A": "1"])
            #expect((session?["metadata"] as? [String: Any])?["requests_count"] as? String == "1")
        }
        let all = daemon.directory.appendingPathComponent("all.json").path
        #expect(try await ripctl("session", "export", "--output", all, "--include-headers", "false").status == 0)
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: all))) as? [String: Any]
        let sessions = file?["sessions"] as? [String: [String: Any]]
        #expect(sessions?.keys.sorted() == ["copy-json", "copy-yaml", "prod"])
        #expect(sessions?["prod"]?["headers"] == nil && sessions?["prod"]?["cookies"] as? [Any] != nil)
        let clash = try await ripctl("session", "import", "--input", all)
        #expect(clash.status == 1 && clash.stderr.contains("ALREADY_EXISTS"))
        #expect(try await ripctl("session", "import", "--input", all, "--overwrite").status == 0)
        let broken = daemon.directory.appendingPathComponent("broken.json").path
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: broken))
        #expect(try await ripctl("session", "import", "--input", broken).stderr.contains("not a sessions file"))
    }

    @Test("session watch prints each change as it happens")
    func watch() async throws {
        let daemon = try await Daemon()
        let watcher = try await Child(
            Daemon.binaries.appendingPathComponent("ripctl").path, ["session", "watch", "--json", "--socket", daemon.socketPath])
        let client = try await daemon.client()
        try await Daemon.waitForStreams(1, client)
        _ = try await client.createSession(.with { $0.name = "watched" })
        let line = try await watcher.output.wait(for: "\n", timeout: .seconds(60))
        let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(event?["kind"] as? String == "KIND_CREATED")
        #expect((event?["session"] as? [String: Any])?["name"] as? String == "watched")
    }

    @Test("status, call and call --list use the daemon's reflection")
    func statusAndCall() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let status = try await ripctl("status")
        #expect(status.stdout.contains("SERVING") && status.stdout.contains(daemon.socketPath))
        #expect(try await ripctl("status", "--json").json["socket_path"] as? String == daemon.socketPath)
        let methods = try await ripctl("call", "--list").stdout
        #expect(methods.contains("/rip.v1.SessionService/WatchSessions") && methods.contains("returns  stream"))
        let created = try await ripctl("call", "/rip.v1.SessionService/CreateSession", #"{"name": "viacall", "tags": ["t"]}"#)
        #expect(created.status == 0)
        #expect(created.json["name"] as? String == "viacall" && created.json["tags"] as? [String] == ["t"])
        #expect(try await ripctl("call", "rip.v1.SessionService/ListSessions").json["sessions"] as? [Any] != nil)
        let unknown = try await ripctl("call", "/rip.v1.SessionService/Nope")
        #expect(unknown.status == 1 && unknown.stderr.contains("call --list"))
        let badJSON = try await ripctl("call", "/rip.v1.SessionService/CreateSession", "{nope")
        #expect(badJSON.status == 1 && badJSON.stderr.contains("not valid JSON"))
    }

    @Test("errors print one line on stderr and exit 1; no daemon is a clear error")
    func errors() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let missing = try await ripctl("session", "show", "--name", "ghost")
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr == "ripctl: NOT_FOUND: no session named or with id 'ghost'; `ripctl session list` shows them\n")
        let nobody = try await Ripctl(socketPath: daemon.directory.appendingPathComponent("none.sock").path)("status")
        #expect(nobody.status == 1 && nobody.stderr.contains("no ripd socket at"))
    }

    @Test("global options go before the command or after it; --version and completion scripts")
    func asPeopleTypeIt() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let created = try await ripctl.run(["--socket", daemon.socketPath, "--json", "session", "new", "--name", "first"], addSocket: false)
        #expect(created.status == 0 && created.json["name"] as? String == "first", "\(created.stderr)")
        let listed = try await ripctl.run(["--json", "--socket=\(daemon.socketPath)", "session", "list"], addSocket: false)
        #expect(listed.status == 0 && listed.stdout.contains("\"first\""), "\(listed.stdout) \(listed.stderr)")
        let shown = try await ripctl("--json", "session", "show", "--name", "first")
        #expect(shown.status == 0 && shown.json["name"] as? String == "first")
        // An option after the command's own arguments is the command's, as before.
        let after = try await ripctl.run(["session", "show", "--name", "first", "--json"])
        #expect(after.json["name"] as? String == "first")

        let version = try await ripctl.run(["--version"], addSocket: false)
        #expect(version.status == 0 && version.stdout.split(separator: ".").count == 3, "\(version.stdout)")
        for shell in ["bash", "zsh", "fish"] {
            let script = try await ripctl.run(["completion", shell], addSocket: false)
            #expect(script.status == 0 && script.stdout.contains("session") && script.stdout.contains("socket"), "\(shell)")
        }
        let unknown = try await ripctl.run(["completion", "tcsh"], addSocket: false)
        #expect(unknown.status != 0 && unknown.stderr.contains("choose bash, zsh or fish"))
    }
}
