import ArgumentParser
import Foundation
import RipClient
import RipWire

/// The options every command takes, after its name or before it (`ripctl --socket S session
/// list`, as kubectl and docker take theirs): `hoisted` moves the ones given first to where the
/// parser looks for them.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The daemon's socket (default: $RIPD_SOCKET, $XDG_RUNTIME_DIR/ripd/ripd.sock or /tmp/ripd-$UID/ripd.sock).")
    var socket: String = RipDefaults.socketPath()

    @Flag(help: "Print machine-readable JSON instead of tables.")
    var json = false

    @Option(help: ArgumentHelp(
        "Also talk to a ripd running as this uid (repeatable; also $RIPD_TRUST_UID).",
        discussion: "By default ripctl talks only to a ripd of your own uid or root: whoever runs it sees everything you store."))
    var trustUid: [UInt32] = ProcessInfo.processInfo.environment["RIPD_TRUST_UID"].flatMap(UInt32.init).map { [$0] } ?? []

    @Flag(help: "Show credentials (Authorization and similar header values, cookie values) instead of masking them.")
    var showSecrets = false

    var output: Output { Output(json: json, showSecrets: showSecrets) }

    /// The options above that take a value, and the flags.
    private static let valued: Set<String> = ["--socket", "--trust-uid"]
    private static let flags: Set<String> = ["--json", "--show-secrets"]

    /// `arguments` (without the program name) with the global options written before the
    /// command's name moved after it; everything else keeps its place.
    static func hoisted(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var path: [String] = [], globals: [String] = []
        var command = root
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let option = String(argument.prefix { $0 != "=" })
            if valued.contains(option) {
                globals.append(argument)
                if option == argument, index + 1 < arguments.endIndex {
                    index += 1
                    globals.append(arguments[index])
                }
            } else if flags.contains(argument) {
                globals.append(argument)
            } else if let sub = command.configuration.subcommands.first(where: { $0._commandName == argument }) {
                path.append(argument)
                command = sub
            } else {
                break
            }
            index += 1
        }
        return path + globals + arguments[index...]
    }

    /// Connects, runs `body`, closes; a daemon's or ripctl's error becomes one line on stderr and
    /// exit code 1.
    func withClient(_ body: (RipClient, Output) async throws -> Void) async throws {
        do {
            let client = try await RipClient.connect(to: socket, trustedUIDs: Set(trustUid))
            do {
                try await body(client, output)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        } catch let error as RipError {
            throw Output.fail(error.description)
        } catch let error as CommandFailure {
            throw Output.fail(error.message)
        }
    }
}

/// A failure found on the client side, reported like a daemon error.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The session a command acts on.
struct SessionName: ParsableArguments {
    @Option(help: "Session name or id.") var name: String
}
