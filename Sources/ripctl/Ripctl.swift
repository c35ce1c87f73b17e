import ArgumentParser
import RipClient

@main
struct Ripctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ripctl",
        abstract: "Control a ripd daemon: sessions, cookies, jobs, workers, artifacts, status, storage, and raw calls to any method.",
        discussion: """
            Every command takes --socket PATH (default: $RIPD_SOCKET, else $XDG_RUNTIME_DIR/ripd/ripd.sock, \
            else /tmp/ripd-$UID/ripd.sock), --json (machine-readable output), --trust-uid and --show-secrets, \
            after its name or before it (ripctl --socket S session list).
            Errors print one line on stderr and exit 1. Shell completion: ripctl completion bash|zsh|fish.
            """,
        version: RipDefaults.version,
        subcommands: [
            SessionCommand.self, CookieCommand.self, JobCommand.self, WorkerCommand.self, LimitCommand.self, ScheduleCommand.self,
            ArtifactCommand.self,
            StatusCommand.self, AdminCommand.self, CallCommand.self, CompletionCommand.self,
        ]
    )

    /// Parses the arguments with the global options hoisted (`GlobalOptions.hoisted`), then runs.
    static func main() async {
        do {
            let arguments = GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst()), root: Self.self)
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// `ripctl completion SHELL`: the completion script argument-parser generates for every command
/// and option.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            bash: ripctl completion bash > ~/.local/share/bash-completion/completions/ripctl
            zsh:  ripctl completion zsh > "${fpath[1]}/_ripctl"
            fish: ripctl completion fish > ~/.config/fish/completions/ripctl.fish
            """)

    @Argument(help: "bash, zsh or fish.") var shell: String

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell) else {
            throw ValidationError("no completion for '\(shell)'; choose bash, zsh or fish")
        }
        print(Ripctl.completionScript(for: kind))
    }
}
