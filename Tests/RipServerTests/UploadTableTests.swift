import Foundation
@testable import RipServer
import RipStorage
import RipWire
import Testing

@Suite("Interrupted uploads")
struct UploadTableTests {
    @Test("an upload is dropped, file and all, only once it has been idle past the timeout")
    func idleTimeout() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-uploads-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let blobs = try BlobStore(dataDirectory: directory.path)
        let contents = FileContents(blobs: blobs, compressOver: 10 * 1024)
        let table = UploadTable()
        try await contents.beginUpload("upl_1")
        try await contents.append(Data(repeating: 7, count: 5000), toUpload: "upl_1")
        let file = directory.appendingPathComponent("uploads/upl_1")
        let upload = UploadTable.Upload(id: "upl_1", ownerID: "sess_1", owner: .init())
        try table.add(upload)
        let idle = Duration.seconds(600)

        #expect(await ArtifactMethods.dropInterrupted(table, contents: contents, idle: idle, now: upload.touched + .seconds(599)) == 0)
        #expect(FileManager.default.fileExists(atPath: file.path))
        #expect(await ArtifactMethods.dropInterrupted(table, contents: contents, idle: idle, now: upload.touched + .seconds(601)) == 1)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(throws: RipError.self) { try table.take("upl_1") }
    }
}
