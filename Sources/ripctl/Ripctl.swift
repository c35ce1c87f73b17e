import ArgumentParser

@main
struct Ripctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ripctl",
        abstract: "Control a ripd daemon: sessions, cookies, status, storage, and raw calls to any method.",
        discussion: """
            Every command takes --socket PATH (default: $RIPD_SOCKET, else $XDG_RUNTIME_DIR/ripd/ripd.sock, \
            else /tmp/ripd-$UID/ripd.sock) and --json (machine-readable output: one protobuf-JSON document).
            Errors print one line on stderr and exit 1.
            """,
        subcommands: [SessionCommand.self, CookieCommand.self, JobCommand.self, WorkerCommand.self, ArtifactCommand.self, StatusCommand.self, AdminCommand.self, CallCommand.self]
    )
}
