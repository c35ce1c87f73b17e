import ArgumentParser
import Foundation
import RipClient
import RipProto
import SwiftProtobuf

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any method with a JSON request and print the JSON reply, like grpcurl.",
        discussion: """
            The daemon's reflection (AdminService/GetDescriptorSet) says which methods exist and their \
            message types; requests and replies use protobuf's JSON mapping. Streaming methods print one \
            JSON document per message until the stream ends or ripctl is interrupted.
            Examples:
              ripctl call --list
              ripctl call /rip.v1.SessionService/CreateSession '{"name": "demo", "tags": ["a"]}'
              ripctl call rip.v1.SessionService/ListSessions
            """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "List the daemon's methods instead of calling one.") var list = false
    @Argument(help: "Method, as /package.Service/Method.") var method: String?
    @Argument(help: "Request as JSON (default: {}).") var request = "{}"

    func validate() throws {
        if !list, method == nil { throw ValidationError("name a METHOD, or use --list") }
    }

    func run() async throws {
        try await global.withClient { client, output in
            let methods = try await Self.reflect(client)
            if list {
                print(methods.map { path, method in
                    "\(path)  (\(method.inputType.dropFirst()))  returns  \(method.serverStreaming ? "stream " : "")(\(method.outputType.dropFirst()))"
                }.sorted().joined(separator: "\n"))
                return
            }
            let path = (method ?? "").hasPrefix("/") ? method ?? "" : "/" + (method ?? "")
            guard let described = methods[path] else {
                throw CommandFailure("ripd serves no method \(path); `ripctl call --list` shows the methods it serves")
            }
            guard let known = RipCatalog.methods.first(where: { $0.path == path }),
                "." + known.requestType.protoMessageName == described.inputType
            else {
                throw CommandFailure("this ripctl does not know the types of \(path); use a ripctl built with this ripd")
            }
            let message: any SwiftProtobuf.Message
            do {
                message = try known.requestType.init(jsonString: request)
            } catch {
                throw CommandFailure("request is not valid JSON for \(described.inputType.dropFirst()): \(error)")
            }
            let payload: Data = try message.serializedBytes()
            if known.isServerStreaming {
                for try await reply in client.streamRaw(path: path, payload: payload) {
                    print(try known.responseType.init(serializedBytes: reply).jsonString(options: Output.jsonOptions))
                    fflush(nil)
                }
            } else {
                let reply = try await client.callRaw(path: path, payload: payload)
                print(try known.responseType.init(serializedBytes: reply).jsonString(options: Output.jsonOptions))
            }
        }
    }

    /// Every method the daemon serves, by path, from its FileDescriptorSet.
    static func reflect(_ client: RipClient) async throws -> [String: Google_Protobuf_MethodDescriptorProto] {
        let set = try Google_Protobuf_FileDescriptorSet(
            serializedBytes: try await client.getDescriptorSet().fileDescriptorSet)
        var methods: [String: Google_Protobuf_MethodDescriptorProto] = [:]
        for file in set.file {
            for service in file.service {
                for method in service.method {
                    methods["/\(file.package).\(service.name)/\(method.name)"] = method
                }
            }
        }
        return methods
    }
}
