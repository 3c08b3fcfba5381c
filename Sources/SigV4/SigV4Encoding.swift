import Crypto

/// Percent-encoding and ordering rules of the canonical request.
enum SigV4Encoding {
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// RFC 3986 encoding of every byte outside the unreserved set (and `extraSafe`).
    static func percentEncode(_ text: String, extraSafe: Set<UInt8> = []) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if isUnreserved(byte) || extraSafe.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Dot segments and empty segments removed, then encoded again (`%` becomes `%25`).
    static func canonicalPath(_ path: String) -> String {
        if path.isEmpty { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var normalised = path.hasPrefix("/") ? "/" : ""
        normalised += segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { normalised += "/" }
        return percentEncode(normalised, extraSafe: [UInt8(ascii: "/")])
    }

    /// The URL's (already encoded) query, pairs sorted by key, then value.
    static func canonicalQuery(_ query: String) -> String {
        if query.isEmpty { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
            }
            return (String(pair), "")
        }
        return pairs.sorted { lhs, rhs in
            lhs.0 == rhs.0 ? codePointLess(lhs.1, rhs.1) : codePointLess(lhs.0, rhs.0)
        }
        .map { "\($0.0)=\($0.1)" }
        .joined(separator: "&")
    }

    /// Ordering by Unicode code points (as Python sorts), which UTF-8 byte order preserves.
    static func codePointLess(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
