import Foundation

/// What a daemon's store keeps of artifact contents, for tests that run on either store: blob
/// and upload files in the data directory, or rows of the shared store's database.
extension Daemon {
    /// The SHA-256 of every content kept, sorted.
    func keptContents() async throws -> [String] {
        if let database = sharedDatabase {
            return try await rows("SELECT sha256 FROM ripd_content ORDER BY sha256", database)
        }
        let root = directory.appendingPathComponent("data/blobs/sha256")
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: root.path)) ?? []
        return files.filter { $0.contains("/") }.map { String($0.split(separator: "/")[1].prefix { $0 != "." }) }.sorted()
    }

    /// The uploads in progress the store keeps anything of (files, or rows and their parts).
    func keptUploads() async throws -> [String] {
        if let database = sharedDatabase {
            return try await rows(
                "SELECT id FROM ripd_upload UNION SELECT substr(owner, 8) FROM ripd_part WHERE owner LIKE 'upload:%' ORDER BY 1",
                database)
        }
        return try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("data/uploads").path).sorted()
    }

    /// The database of the shared store the daemon runs on (nil: the embedded store).
    var sharedDatabase: String? {
        guard let store, let path = URLComponents(string: store)?.path, path.count > 1 else { return nil }
        return String(path.dropFirst())
    }

    private func rows(_ query: String, _ database: String) async throws -> [String] {
        let output = try await PostgresServer.shared().sql(query, database: database)
        return output.isEmpty ? [] : output.split(separator: "\n").map(String.init)
    }
}
