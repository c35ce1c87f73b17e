import ArgumentParser
import Foundation
import RipProto
import SwiftProtobuf

/// The one place ripctl prints: protobuf JSON for scripts (`--json`), aligned text for people.
struct Output {
    let json: Bool
    var showSecrets = false

    static let jsonOptions: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.useDeterministicOrdering = true
        return options
    }()

    /// Prints `message` as JSON, or `human()` as text.
    func emit(_ message: some SwiftProtobuf.Message, human: () -> String) throws {
        print(json ? try message.jsonString(options: Self.jsonOptions) : human())
    }

    /// Tells a person (not a script: JSON carries next_cursor) how to get the next page.
    func nextPage(_ cursor: String) {
        guard !json && !cursor.isEmpty else { return }
        FileHandle.standardError.write(Data("more: --cursor \(cursor)\n".utf8))
    }

    /// Pushes printed lines out now (streams print as events arrive, also into pipes).
    static func flush() { fflush(nil) }

    /// Prints one line on stderr; the command throws the exit code it returns (1).
    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("ripctl: \(message)\n".utf8))
        return .failure
    }

    /// Lays rows out in columns under `headers`, two spaces apart.
    static func table(_ headers: [String], _ rows: [[String]]) -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// "key: value" lines with the values aligned.
    static func fields(_ pairs: [(String, String)]) -> String {
        let width = pairs.map { $0.0.count }.max() ?? 0
        return pairs.map { key, value in
            (key + ":").padding(toLength: width + 2, withPad: " ", startingAt: 0) + value
        }.joined(separator: "\n")
    }
}

extension Google_Protobuf_Timestamp {
    /// RFC 3339 in UTC, whole seconds ("2026-11-24T17:56:26Z"); "-" when unset.
    var rfc3339: String {
        guard seconds != 0 || nanos != 0 else { return "-" }
        return date.formatted(Date.ISO8601FormatStyle())
    }

    /// Parses RFC 3339 with or without fractional seconds.
    init?(rfc3339 text: String) {
        let plain = Date.ISO8601FormatStyle()
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? plain.parse(text)) ?? (try? fractional.parse(text)) else { return nil }
        self.init(date: date)
    }
}
