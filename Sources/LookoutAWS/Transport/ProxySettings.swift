/// Which proxy a URL goes through, from `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (lowercase
/// names first, as curl, requests and botocore read them).
///
/// Resolved here rather than by libcurl because libcurl ignores an uppercase `HTTP_PROXY`.
public struct ProxySettings: Sendable, Equatable {
    public var httpsProxy: String?
    public var httpProxy: String?
    /// `NO_PROXY` entries: `*`, a host, a domain (`.example.com` or `example.com`), an IP, each
    /// optionally with `:port`.
    public var noProxy: [String]

    public init(httpsProxy: String? = nil, httpProxy: String? = nil, noProxy: [String] = []) {
        self.httpsProxy = httpsProxy
        self.httpProxy = httpProxy
        self.noProxy = noProxy
    }

    public init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            let found = environment[name.lowercased()] ?? environment[name.uppercased()]
            return found.flatMap { $0.trimmingSpaces.isEmpty ? nil : $0.trimmingSpaces }
        }
        httpsProxy = value("https_proxy")
        httpProxy = value("http_proxy")
        noProxy = (value("no_proxy") ?? "").split(separator: ",").map { $0.trimmingSpaces.lowercased() }
            .filter { !$0.isEmpty }
    }

    /// The proxy URL for `url`, or nil to connect directly.
    public func proxy(for url: String) -> String? {
        let lowered = url.lowercased()
        let proxy: String?
        if lowered.hasPrefix("https://") {
            proxy = httpsProxy
        } else if lowered.hasPrefix("http://") {
            proxy = httpProxy
        } else {
            proxy = nil
        }
        guard let proxy else { return nil }
        let (host, port) = Self.hostAndPort(of: lowered)
        return bypasses(host: host, port: port) ? nil : proxy
    }

    func bypasses(host: String, port: Int?) -> Bool {
        for entry in noProxy {
            if entry == "*" { return true }
            var name = Substring(entry)
            var entryPort: Int?
            if let colon = name.lastIndex(of: ":"), !name.contains("]") || name.last != "]",
                let parsed = Int(name[name.index(after: colon)...])
            {
                entryPort = parsed
                name = name[..<colon]
            }
            if let entryPort, entryPort != port { continue }
            let bare = name.hasPrefix("[") && name.hasSuffix("]") ? name.dropFirst().dropLast() : name
            let domain = bare.hasPrefix(".") ? bare.dropFirst() : bare
            if host == domain || host.hasSuffix("." + domain) { return true }
        }
        return false
    }

    static func hostAndPort(of url: String) -> (String, Int?) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let end = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        var authority = rest[..<end]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            return (host, after.hasPrefix(":") ? Int(after.dropFirst()) : nil)
        }
        if let colon = authority.lastIndex(of: ":") {
            return (String(authority[..<colon]), Int(authority[authority.index(after: colon)...]))
        }
        return (String(authority), nil)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
