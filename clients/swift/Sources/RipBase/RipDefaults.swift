import Foundation

/// Where ripd listens and keeps its state when not told otherwise; ripd and ripctl share it so
/// they meet on the same socket without configuration.
public enum RipDefaults {
    /// The version ripd, ripctl and the clients report.
    public static let version = "0.2.0"

    /// 16 MiB: the largest frame either side accepts unless configured.
    public static let maxFrameBytes = 16 * 1024 * 1024

    /// `$RIPD_SOCKET`, else `$XDG_RUNTIME_DIR/ripd/ripd.sock`, else `/tmp/ripd-$UID/ripd.sock`.
    public static func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["RIPD_SOCKET"], !path.isEmpty { return path }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/ripd/ripd.sock" }
        return "/tmp/ripd-\(getuid())/ripd.sock"
    }

    /// `$XDG_STATE_HOME/ripd`, else `~/.local/state/ripd`.
    public static func dataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/ripd" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/ripd"
    }
}
