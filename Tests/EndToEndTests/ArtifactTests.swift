import Foundation
import Subprocess
import RipClient
import RipProto
import Testing

@Suite("Artifacts")
struct ArtifactTests {
    static func upload(
        _ client: RipClient, _ content: Data, owner: RipArtifactOwner, name: String = "a.bin",
        type: RipArtifactType = .userInput, tags: [String] = [], chunk: Int = 1 << 20
    ) async throws -> RipArtifact {
        let upload = try await client.beginUpload(.with { $0.owner = owner }).uploadID
        var offset = 0
        while offset < content.count {
            let end = min(content.count, offset + chunk)
            _ = try await client.appendUpload(.with {
                $0.uploadID = upload
                $0.offset = UInt64(offset)
                $0.data = content[offset..<end]
            })
            offset = end
        }
        return try await client.commitUpload(.with {
            $0.uploadID = upload
            $0.name = name
            $0.type = type
            $0.tags = tags
        })
    }

    /// `count` random (incompressible) bytes, eight at a time.
    static func random(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var data = Data(capacity: count + 8)
        while data.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { data.append(contentsOf: $0) }
        }
        return data.prefix(count)
    }

    static func session(_ name: String) -> RipArtifactOwner { .with { $0.session = name } }

    /// The whole content of the artifact `id`, read in ranged calls up to its size.
    static func download(_ client: RipClient, _ id: String, owner: RipArtifactOwner) async throws -> Data {
        var data = Data()
        while true {
            let part = try await client.readArtifact(.with {
                $0.artifactID = id
                $0.owner = owner
                $0.offset = UInt64(data.count)
            })
            data += part.data
            if part.data.isEmpty || UInt64(data.count) >= part.size { return data }
        }
    }

    @Test("ripctl put and get round-trip empty, small, 10 KiB and multi-chunk contents byte for byte, by descriptor and in chunks")
    func roundTrip() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        #expect(try await ripctl("session", "new", "--name", "crawl").status == 0)
        let folder = daemon.directory.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for size in [0, 17, 10 * 1024, 10 * 1024 + 1, 9 * 1024 * 1024 + 5] {
            for way in [[], ["--chunked"]] {
                let content = Self.random(size)
                let source = folder.appendingPathComponent("in-\(size)"), copy = folder.appendingPathComponent("out-\(size)")
                try content.write(to: source)
                let put = try await ripctl.run([
                    "artifact", "put", "--session", "crawl", "--file", source.path, "--type", "tool_result", "--tag", "t",
                    "--meta", "url=https://a.example/\(size)", "--json",
                ] + way)
                #expect(put.status == 0, "\(put.stderr)")
                let id = try #require(put.json["id"] as? String)
                #expect(put.json["size"] as? String == (size == 0 ? nil : "\(size)"))
                let get = try await ripctl.run(["artifact", "get", id, "--session", "crawl", "--output", copy.path] + way)
                #expect(get.status == 0, "\(get.stderr)")
                #expect(try Data(contentsOf: copy) == content, "size \(size) \(way) did not round-trip")
                let info = try await ripctl("artifact", "info", id, "--session", "crawl")
                #expect(info.stdout.contains("url=https://a.example/\(size)") && info.stdout.contains("tool_result"))
            }
        }
        let stdout = try await ripctl("artifact", "put", "--session", "crawl", "--file", "-", "--name", "note.txt", stdin: "hello\n")
        let id = try #require(stdout.stdout.split(separator: " ").first.map(String.init))
        #expect(try await ripctl("artifact", "get", id, "--session", "crawl").stdout == "hello\n")
        #expect(try await ripctl("artifact", "list", "--session", "crawl").stdout.contains("note.txt"))
    }

    @Test("contents over --compress-over are stored deflated when that saves space; every range reads back exactly")
    func compression() async throws {
        let daemon = try await Daemon()
        // A shared store keeps contents as they are, in parts; PostgreSQL compresses them itself.
        let deflates = daemon.store == nil
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "z" })
        let owner = Self.session("z")
        let line = Data("<tr><td>row</td><td>https://example.com/page</td></tr>\n".utf8)
        func text(_ count: Int) -> Data {
            var data = Data(capacity: count + line.count)
            var n = 0
            while data.count < count {
                data.append(Data("\(n)".utf8) + line)
                n += 1
            }
            return data.prefix(count)
        }
        for (content, encoding) in [
            (text(10 * 1024), "identity"), (text(10 * 1024 + 1), "deflate"), (Self.random(50_000), "identity"),
            (text(5 * (1 << 20) + 123), "deflate"),
        ] {
            let artifact = try await Self.upload(client, content, owner: owner, chunk: 700_000)
            #expect(artifact.encoding == (deflates ? encoding : "identity") && artifact.size == UInt64(content.count), "\(content.count) bytes")
            if encoding == "deflate" && deflates { #expect(artifact.storedSize < artifact.size / 2) }
            #expect(try await Self.download(client, artifact.id, owner: owner) == content)
            for (offset, length) in [
                (0, 1), (1 << 20, 10), ((1 << 20) - 5, 10), ((256 << 10) - 5, 10), (256 << 10, 256 << 10), (content.count - 3, 100),
                (12345, 3 << 20),
            ]
            where offset < content.count {
                let part = try await client.readArtifact(.with {
                    $0.artifactID = artifact.id
                    $0.owner = owner
                    $0.offset = UInt64(offset)
                    $0.length = UInt32(length)
                }).data
                #expect(part == content[offset..<min(content.count, offset + length)], "range \(offset)+\(length) of \(content.count)")
            }
        }
        let stats = try await client.artifactStats()
        #expect(deflates ? stats.physicalBytes < stats.uniqueBytes : stats.physicalBytes == stats.uniqueBytes)
    }

    @Test("job results name artifacts of their own job only; removing the job removes its artifacts")
    func jobResults() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        let job = try await client.submitJob(.with { $0.urls = ["https://example.com/"] })
        let lease = try #require(try await client.claim(.with { $0.workerID = "w" }).jobs.first)
        let foreign = try await Self.upload(client, Data("x".utf8), owner: Self.session("s"))
        let own = try await Self.upload(client, Data("<html>".utf8), owner: .with { $0.jobID = job.id }, type: .result)
        let error = try await #require(throws: RipError.self) {
            _ = try await client.completeJob(.with {
                $0.jobID = job.id
                $0.token = lease.token
                $0.results = [.with { $0.url = "https://example.com/"; $0.ok = true; $0.artifactID = foreign.id }]
            })
        }
        #expect(error.code == .notFound)
        let done = try await client.completeJob(.with {
            $0.jobID = job.id
            $0.token = lease.token
            $0.results = [.with { $0.url = "https://example.com/"; $0.ok = true; $0.artifactID = own.id }]
        })
        #expect(done.status == .completed && done.results.first?.artifactID == own.id)
        _ = try await client.clearJobs(.init())
        #expect(try await client.artifactStats().artifacts == 1)
        let gone = try await #require(throws: RipError.self) {
            _ = try await client.getArtifact(.with { $0.artifactID = own.id; $0.owner.jobID = job.id })
        }
        #expect(gone.code == .notFound)
    }

    @Test("an upload whose client went away is dropped after --upload-idle-timeout, leaving nothing behind")
    func interruptedUpload() async throws {
        let daemon = try await Daemon(arguments: ["--upload-idle-timeout", "1"])
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        let upload = try await client.beginUpload(.with { $0.owner = Self.session("s") }).uploadID
        // When the sweeper runs is the daemon's business (UploadTableTests drives it by the
        // clock); an append here could already find the upload gone.
        try await daemon.waitForLog("dropped interrupted uploads", timeout: .seconds(60))
        #expect(try await daemon.keptUploads().isEmpty)
        let error = try await #require(throws: RipError.self) {
            _ = try await client.appendUpload(.with { $0.uploadID = upload; $0.data = Data("x".utf8) })
        }
        #expect(error.code == .notFound)
    }

    @Test("deleting its owner removes a blob before the reply, not at the next start")
    func ownerDeletionRemovesBlobs() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "gone" })
        _ = try await Self.upload(client, Self.random(3000), owner: Self.session("gone"))
        #expect(try await daemon.keptContents().count == 1)
        _ = try await client.deleteSessions(.with { $0.sessions = ["gone"] })
        #expect(try await daemon.keptContents().isEmpty)
        #expect(try await client.artifactStats().physicalBytes == 0)
    }

    @Test("uploads in progress count against --artifact-quota; the upload over it is kept for a retry")
    func uploadsCountAgainstQuota() async throws {
        let daemon = try await Daemon(arguments: ["--artifact-quota", "10000", "--compress-over", "100000"])
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "q" })
        let first = try await client.beginUpload(.with { $0.owner = Self.session("q") }).uploadID
        _ = try await client.appendUpload(.with { $0.uploadID = first; $0.data = Self.random(6000) })
        let second = try await client.beginUpload(.with { $0.owner = Self.session("q") }).uploadID
        let over = try await #require(throws: RipError.self) {
            _ = try await client.appendUpload(.with { $0.uploadID = second; $0.data = Self.random(6000) })
        }
        #expect(over.code == .resourceExhausted && over.message.contains("uploads in progress"))
        _ = try await client.abortUpload(.with { $0.uploadID = first })
        let retried = try await client.appendUpload(.with { $0.uploadID = second; $0.data = Self.random(6000) })
        #expect(retried.received == 6000)
    }

    @Test("identical contents are stored once; the blob goes with the last artifact that holds it")
    func deduplication() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "a" })
        _ = try await client.createSession(.with { $0.name = "b" })
        let content = Self.random(100_000)
        let first = try await Self.upload(client, content, owner: Self.session("a"))
        let second = try await Self.upload(client, content, owner: Self.session("b"))
        #expect(first.sha256 == second.sha256 && first.id != second.id)
        #expect(try await daemon.keptContents() == [first.sha256])
        let stats = try await client.artifactStats()
        #expect(stats.artifacts == 2 && stats.blobs == 1 && stats.logicalBytes == 200_000 && stats.physicalBytes == 100_000)
        let kept = try await client.deleteArtifact(.with { $0.artifactID = first.id; $0.owner = Self.session("a") })
        #expect(!kept.blobRemoved)
        #expect(try await daemon.keptContents() == [first.sha256])
        let read = try await client.readArtifact(.with { $0.artifactID = second.id; $0.owner = Self.session("b") })
        #expect(read.data == content)
        let gone = try await client.deleteArtifact(.with { $0.artifactID = second.id; $0.owner = Self.session("b") })
        #expect(gone.blobRemoved)
        #expect(try await daemon.keptContents().isEmpty)
    }

    @Test("queries filter by type, all tags, name glob, size and time, newest first with pages")
    func queries() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "q" })
        let owner = Self.session("q")
        let start = Date()
        var made: [RipArtifact] = []
        for (n, (name, type, tags, size)) in [
            ("page1.html", RipArtifactType.toolResult, ["html", "prod"], 2000),
            ("page2.html", .toolResult, ["html"], 10),
            ("notes.txt", .userInput, ["prod"], 500),
            ("run.log", .log, [], 50),
        ].enumerated() {
            made.append(try await Self.upload(client, Data(repeating: UInt8(n), count: size), owner: owner, name: name, type: type, tags: tags))
        }
        func names(_ request: RipQueryArtifactsRequest) async throws -> [String] {
            var request = request
            request.owner = owner
            return try await client.queryArtifacts(request).artifacts.map(\.name)
        }
        #expect(try await names(.init()) == ["run.log", "notes.txt", "page2.html", "page1.html"])
        #expect(try await names(.with { $0.types = [.toolResult] }) == ["page2.html", "page1.html"])
        #expect(try await names(.with { $0.tags = ["html", "prod"] }) == ["page1.html"])
        #expect(try await names(.with { $0.nameGlob = "page?.html" }) == ["page2.html", "page1.html"])
        #expect(try await names(.with { $0.nameGlob = "*.txt" }) == ["notes.txt"])
        #expect(try await names(.with { $0.minSize = 100; $0.maxSize = 1000 }) == ["notes.txt"])
        // Four made within a millisecond still list newest first (by creation sequence); the time
        // filters are strict at both ends.
        #expect(try await names(.with { $0.createdAfter = .init(date: start.addingTimeInterval(-60)); $0.createdBefore = .init(date: start.addingTimeInterval(60)) }).count == 4)
        #expect(try await names(.with { $0.createdBefore = made[0].createdAt }).isEmpty)
        #expect(try await names(.with { $0.createdAfter = made[3].createdAt }).isEmpty)
        let page = try await client.queryArtifacts(.with { $0.owner = owner; $0.limit = 3 })
        let rest = try await client.queryArtifacts(.with { $0.owner = owner; $0.limit = 3; $0.cursor = page.nextCursor })
        #expect(page.artifacts.count == 3 && rest.artifacts.map(\.name) == ["page1.html"] && rest.nextCursor.isEmpty)
    }

    @Test("an artifact is reachable only through its owner; limits and hash mismatches leave nothing behind")
    func isolationAndLimits() async throws {
        let daemon = try await Daemon(arguments: ["--max-artifact-bytes", "4096", "--max-artifacts-per-owner", "2"])
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "mine" })
        _ = try await client.createSession(.with { $0.name = "theirs" })
        let artifact = try await Self.upload(client, Data("secret".utf8), owner: Self.session("mine"))
        for (id, owner) in [(artifact.id, "theirs"), ("art_00000000000000000000000000000000", "mine"), ("../../etc/passwd", "mine")] {
            let error = try await #require(throws: RipError.self) {
                _ = try await client.readArtifact(.with { $0.artifactID = id; $0.owner = Self.session(owner) })
            }
            #expect(error.code == .notFound)
        }
        let tooBig = try await #require(throws: RipError.self) {
            _ = try await Self.upload(client, Self.random(5000), owner: Self.session("mine"))
        }
        #expect(tooBig.code == .resourceExhausted && tooBig.message.contains("4096"))
        _ = try await Self.upload(client, Data("two".utf8), owner: Self.session("mine"))
        let third = try await #require(throws: RipError.self) {
            _ = try await Self.upload(client, Data("three".utf8), owner: Self.session("mine"))
        }
        #expect(third.code == .resourceExhausted)
        let upload = try await client.beginUpload(.with { $0.owner = Self.session("theirs") }).uploadID
        _ = try await client.appendUpload(.with { $0.uploadID = upload; $0.data = Data("abc".utf8) })
        let mismatch = try await #require(throws: RipError.self) {
            _ = try await client.commitUpload(.with { $0.uploadID = upload; $0.name = "x"; $0.expectedSha256 = String(repeating: "0", count: 64) })
        }
        #expect(mismatch.code == .dataLoss)
        let uploads = try await daemon.keptUploads()
        #expect(uploads.isEmpty, "left behind: \(uploads)")
        #expect(try await daemon.keptContents().count == 2)
    }

    @Test("after kill -9: unfinished uploads and blobs no record names are removed at start")
    func crashLeavesNothingBehind() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-art-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        var kept: RipArtifact
        do {
            let daemon = try await Daemon(directory: directory)
            let client = try await daemon.client()
            _ = try await client.createSession(.with { $0.name = "s" })
            _ = try await client.createSession(.with { $0.name = "doomed" })
            kept = try await Self.upload(client, Self.random(3000), owner: Self.session("s"))
            _ = try await Self.upload(client, Self.random(3000), owner: Self.session("doomed"))
            _ = try await client.deleteSessions(.with { $0.sessions = ["doomed"] })  // its blob goes at once
            // Half an upload, and a blob written for a record that never came (as a crash
            // between the blob's rename and the log record would leave).
            let upload = try await client.beginUpload(.with { $0.owner = Self.session("s") }).uploadID
            _ = try await client.appendUpload(.with { $0.uploadID = upload; $0.data = Self.random(1000) })
            let stray = directory.appendingPathComponent("data/blobs/sha256/ff")
            try FileManager.default.createDirectory(at: stray, withIntermediateDirectories: true)
            try Data("stray".utf8).write(to: stray.appendingPathComponent(String(repeating: "f", count: 64)))
            _ = try await daemon.stop(signal: SIGKILL)
        }
        let daemon = try await Daemon(directory: directory)
        let log = try await daemon.waitForLog("removed what a crash left")
        #expect(log.contains("unfinished-uploads=1") && log.contains("unreferenced-blobs=1"), "\(log)")
        #expect(try await daemon.keptContents() == [kept.sha256])
        let client = try await daemon.client()
        let read = try await client.readArtifact(.with { $0.artifactID = kept.id; $0.owner = Self.session("s") })
        #expect(read.data.count == 3000 && read.size == 3000)
    }

    static func sha256(_ path: String) async throws -> String {
        String(try await runToCompletion("/usr/bin/sha256sum", [path], stdin: nil).stdout.prefix(64))
    }
}
