import Foundation
import RipCore

extension PublicSuffixList {
    /// The copy of the list bundled with ripd (Resources/public_suffix_list.dat, refreshed by
    /// tools/update-public-suffix-list), parsed once. SwiftPM installs it in the
    /// `ripd_RipServer.resources` directory beside the binary, which must travel with it.
    public static let bundled: PublicSuffixList = {
        guard let url = Bundle.module.url(forResource: "public_suffix_list", withExtension: "dat"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return PublicSuffixList() }
        return PublicSuffixList(text: text)
    }()

    /// The list in the file at `path` (`ripd --public-suffix-list`).
    public static func load(path: String) throws -> PublicSuffixList {
        PublicSuffixList(text: try String(contentsOfFile: path, encoding: .utf8))
    }
}
