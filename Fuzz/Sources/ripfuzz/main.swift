import RipCore
import RipProto
import RipTesting
import SwiftProtobuf

/// libFuzzer's entry point: the whole request path of ripd for one input. The input is a
/// sequence of operations, each `selector u8 | length u16le | bytes`: a selector below the
/// number of methods sends `bytes` as the payload of that method (so the fuzzer spends its
/// time inside the handlers rather than on framing), any other sends `bytes` as they are
/// (framing, envelopes). Afterwards every change the daemon journaled is replayed into an
/// empty state, which must equal the live one. A trap anywhere is a crash the fuzzer reports.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = UnsafeBufferPointer(start: start, count: count)
    let methods = RipCatalog.methods
    do {
        let daemon = try InProcessDaemon()
        var offset = 0
        var id: UInt64 = 0
        while offset + 3 <= input.count {
            let selector = Int(input[offset])
            let length = Int(input[offset + 1]) | Int(input[offset + 2]) << 8
            let bytes = Array(input[(offset + 3)..<min(input.count, offset + 3 + length)])
            offset += 3 + length
            id += 1
            if selector < methods.count {
                _ = try daemon.send(InProcessDaemon.frame(id: id, method: methods[selector].path, payload: bytes))
            } else {
                _ = try daemon.send(bytes)
            }
        }
        if let (replayed, live) = try daemon.replayMismatch() {
            preconditionFailure(
                "replaying the journal does not give the live state:\n\(replayed.textFormatString())\n---\n\(live.textFormatString())")
        }
    } catch {
        fatalError("the request path threw outside a reply: \(error)")
    }
    return 0
}
