import Foundation
@testable import RipServer
import RipStorage
import RipWire
import Testing

@Suite("Interrupted uploads")
struct UploadTableTests {
    @Test("an upload is dropped, file and all, only once it has been idle past the timeout")
    func idleTimeout() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-uploads-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let blobs = try BlobStore(dataDirectory: directory.path)
        let table = UploadTable()
        let file = try blobs.createUpload(id: "upl_1")
        try BlobStore.append(Data(repeating: 7, count: 5000), to: file.descriptor)
        let upload = UploadTable.Upload(id: "upl_1", ownerID: "sess_1", owner: .init(), path: file.path, descriptor: file.descriptor)
        try table.add(upload)
        let idle = Duration.seconds(600)

        #expect(ArtifactMethods.dropInterrupted(table, blobs: blobs, idle: idle, now: upload.touched + .seconds(599)) == 0)
        #expect(FileManager.default.fileExists(atPath: file.path))
        #expect(ArtifactMethods.dropInterrupted(table, blobs: blobs, idle: idle, now: upload.touched + .seconds(601)) == 1)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(throws: RipError.self) { try table.take("upl_1") }
    }
}
