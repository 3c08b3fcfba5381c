/// Whether a certificate's names cover the host a client asked for: an IP must be listed as such,
/// a DNS name matches exactly or through one leading wildcard label (RFC 6125).
public func namesCover(_ names: [String], host: String) -> Bool {
    let host = host.lowercased()
    let isIP = host.contains(":") || host.split(separator: ".").allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    for name in names.map({ $0.lowercased() }) {
        if name == host { return true }
        if !isIP, name.hasPrefix("*."), let dot = host.firstIndex(of: ".") {
            if host[host.index(after: dot)...] == name.dropFirst(2) { return true }
        }
    }
    return false
}
