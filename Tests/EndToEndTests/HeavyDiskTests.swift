import Foundation
import Testing

/// Tests that load the disk for many seconds. tools/test runs them on their own, after the
/// rest of the suite, so their fsyncs never stretch another test's wait.
@Suite("Heavy disk")
struct HeavyDiskTests {
    @Test("a 1 GiB artifact moves through ripd in chunks: its peak memory stays under 200 MiB")
    func largeArtifactInBoundedMemory() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        #expect(try await ripctl("session", "new", "--name", "big").status == 0)
        let folder = daemon.directory.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // 1 GiB: a random MiB repeated. Deflate's 32 KiB window finds nothing to shorten, so
        // it is stored as it is, like a video or an archive.
        let source = folder.appendingPathComponent("in"), copy = folder.appendingPathComponent("out")
        let block = ArtifactTests.random(1 << 20)
        #expect(FileManager.default.createFile(atPath: source.path, contents: nil))
        let writer = try FileHandle(forWritingTo: source)
        for _ in 0..<1024 { try writer.write(contentsOf: block) }
        try writer.close()
        let before = try daemon.peakMemory()
        let put = try await ripctl("artifact", "put", "--session", "big", "--file", source.path, "--json")
        #expect(put.status == 0, "\(put.stderr)")
        let id = try #require(put.json["id"] as? String)
        #expect(put.json["size"] as? String == "\(1 << 30)" && put.json["encoding"] as? String == "identity")
        let get = try await ripctl("artifact", "get", id, "--session", "big", "--output", copy.path)
        #expect(get.status == 0, "\(get.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: copy.path)[.size] as? Int == 1 << 30)
        #expect(try await ArtifactTests.sha256(copy.path) == put.json["sha256"] as? String)
        let peak = try daemon.peakMemory()
        #expect(peak < 200 << 20, "ripd's peak RSS rose from \(before >> 20) MiB to \(peak >> 20) MiB")
    }
}
