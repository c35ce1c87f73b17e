import ArgumentParser
import Foundation
import RipClient
import RipWire

/// The options every command takes.
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

    /// Connects, runs `body`, closes; any failure becomes one line on stderr and exit code 1.
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
            Output.fail(error.description)
        } catch let error as CommandFailure {
            Output.fail(error.message)
        }
    }
}

/// A failure found on the client side, reported like a daemon error.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
