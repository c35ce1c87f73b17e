import Foundation
import RipWire
import Testing

@Suite("Default paths")
struct RipDefaultsTests {
    @Test("RIPD_SOCKET wins, then XDG_RUNTIME_DIR, then /tmp/ripd-UID")
    func socketPath() {
        #expect(RipDefaults.socketPath(environment: ["RIPD_SOCKET": "/x.sock", "XDG_RUNTIME_DIR": "/run/u"]) == "/x.sock")
        #expect(RipDefaults.socketPath(environment: ["XDG_RUNTIME_DIR": "/run/u"]) == "/run/u/ripd/ripd.sock")
        #expect(RipDefaults.socketPath(environment: [:]) == "/tmp/ripd-\(getuid())/ripd.sock")
    }

    @Test("XDG_STATE_HOME wins, else ~/.local/state")
    func dataDirectory() {
        #expect(RipDefaults.dataDirectory(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/ripd")
        #expect(RipDefaults.dataDirectory(environment: ["HOME": "/h"]) == "/h/.local/state/ripd")
    }
}
