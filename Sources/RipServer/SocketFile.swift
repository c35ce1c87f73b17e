import Foundation
import NIOCore
import NIOPosix
import RipWire

/// Prepares the filesystem around the listening socket: a private directory, and no live
/// socket at the path. A socket file left by a crashed daemon is replaced; one that another
/// daemon is serving stops the start.
enum SocketFile {
    struct InUseError: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "another ripd is already serving \(path); stop it first, or start this one with --socket PATH"
        }
    }

    struct NotASocketError: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "\(path) exists and is not a socket; ripd removes only a stale socket there: move it away, "
                + "or start ripd with --socket PATH"
        }
    }

    /// Creates the socket's directory (mode 0700, or 0711 when other users are admitted) and
    /// removes a stale socket file. Directories that existed before and are not the default
    /// one are left as they are.
    static func prepare(path: String, isDefaultPath: Bool, admitsOthers: Bool, group: any EventLoopGroup) async throws {
        let directory = (path as NSString).deletingLastPathComponent
        let fileManager = FileManager.default
        let existed = fileManager.fileExists(atPath: directory)
        if !existed {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        if !existed || isDefaultPath {
            try fileManager.setAttributes([.posixPermissions: admitsOthers ? 0o711 : 0o700], ofItemAtPath: directory)
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }  // nothing there
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw NotASocketError(path: path)
        }
        if await isServed(path: path, group: group) { throw InUseError(path: path) }
        try fileManager.removeItem(atPath: path)
    }

    /// Restricts the bound socket to its owner, or opens it when other users are admitted
    /// (peer credentials then decide who may talk).
    static func restrict(path: String, admitsOthers: Bool) throws {
        try FileManager.default.setAttributes([.posixPermissions: admitsOthers ? 0o666 : 0o600], ofItemAtPath: path)
    }

    private static func isServed(path: String, group: any EventLoopGroup) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
