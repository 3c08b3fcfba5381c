import Foundation

/// The parts of a URL that signing needs, split without any re-encoding.
struct SigV4URL: Equatable {
    var scheme: String
    var host: String
    var port: Int?
    var path: String
    var query: String

    init(_ url: String) {
        var rest = Substring(url)
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        if let colon = rest.range(of: "://") {
            scheme = rest[..<colon.lowerBound].lowercased()
            rest = rest[colon.upperBound...]
        } else {
            scheme = ""
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[...close]).lowercased()
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) : nil
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon].lowercased()
            port = Int(authority[authority.index(after: colon)...])
        } else {
            host = authority.lowercased()
            port = nil
        }
        if let question = rest.firstIndex(of: "?") {
            path = String(rest[..<question])
            query = String(rest[rest.index(after: question)...])
        } else {
            path = String(rest)
            query = ""
        }
    }

    /// The `Host` header value: lowercased, with the port only when it is not the scheme's default.
    var hostHeader: String {
        guard let port else { return host }
        let defaultPort = ["http": 80, "https": 443][scheme]
        return port == defaultPort ? host : "\(host):\(port)"
    }
}
