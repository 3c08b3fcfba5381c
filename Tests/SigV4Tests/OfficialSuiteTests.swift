import Foundation
import Testing

@testable import SigV4

/// The official AWS SigV4 test suite, as shipped in botocore's source distribution. It is fetched
/// (pip download) into .build/sigv4-testsuite on first use, never committed.
@Suite("AWS SigV4 test suite")
struct OfficialSuiteTests {
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    struct Case: CustomTestStringConvertible {
        var name: String
        var request: String
        var canonicalRequest: String
        var stringToSign: String
        var authorization: String
        var testDescription: String { name }
    }

    static func loadCases() throws -> [Case] {
        let cache = packageRoot.appendingPathComponent(".build/sigv4-testsuite").path
        let script = packageRoot.appendingPathComponent("Tests/Support/fetch_sigv4_suite.py").path
        let result = try run([python, script, cache])
        guard result.status == 0 else { throw SuiteError.fetch(result.stderr) }
        let root = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var cases: [Case] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".req") else { continue }
            let base = root + "/" + String(relative.dropLast(4))
            func read(_ ext: String) throws -> String {
                try String(contentsOfFile: base + ext, encoding: .utf8).replacingOccurrences(of: "\r", with: "")
            }
            cases.append(
                Case(
                    name: String(relative.dropLast(4).split(separator: "/").dropLast().joined(separator: "/")),
                    request: try read(".req"), canonicalRequest: try read(".creq"),
                    stringToSign: try read(".sts"), authorization: try read(".authz")))
        }
        return cases.sorted { $0.name < $1.name }
    }

    enum SuiteError: Error { case fetch(String), noCases }

    /// A raw `.req` file to what our signer takes: method, URL (query encoded as on the wire),
    /// headers (folded lines joined) and body.
    static func parse(_ raw: String) -> (method: String, url: String, headers: [SigV4Signer.Header], body: [UInt8]) {
        var lines = raw.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if let version = target.range(of: " HTTP/", options: .backwards) { target = String(target[..<version.lowerBound]) }
        var headers: [SigV4Signer.Header] = []
        while !lines.isEmpty {
            let line = lines.removeFirst()
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            let colon = line.firstIndex(of: ":")!
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        let body = Array(lines.joined(separator: "\n").utf8)
        let host = headers.first { $0.name.lowercased() == "host" }!.value
        var path = target
        var query = ""
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            query = target[target.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
                .map { pair -> String in
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let key = SigV4Encoding.percentEncode(formDecode(parts[0]))
                    let value = parts.count > 1 ? SigV4Encoding.percentEncode(formDecode(parts[1])) : ""
                    return "\(key)=\(value)"
                }
                .joined(separator: "&")
        }
        return (method, "https://\(host)\(path)" + (query.isEmpty ? "" : "?\(query)"), headers, body)
    }

    static func formDecode(_ text: Substring) -> String {
        (text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(text)
    }

    @Test("every case of the suite: canonical request, string to sign, Authorization")
    func suite() throws {
        let cases = try Self.loadCases()
        #expect(cases.count == 34, "the suite has 34 cases; found \(cases.count)")
        var failing: [String] = []
        for testCase in cases {
            let request = Self.parse(testCase.request)
            let token = testCase.canonicalRequest.components(separatedBy: "\n")
                .first { $0.hasPrefix("x-amz-security-token:") }
                .map { String($0.dropFirst("x-amz-security-token:".count)) }
            let signer = SigV4Signer(
                credentials: SigV4Credentials(
                    accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    sessionToken: token),
                region: "us-east-1", service: "service")
            let parts = signer.signingParts(
                url: request.url, method: request.method, headers: request.headers, body: request.body, date: Self.date)
            #expect(parts.canonicalRequest == testCase.canonicalRequest, "\(testCase.name): canonical request")
            #expect(parts.stringToSign == testCase.stringToSign, "\(testCase.name): string to sign")
            #expect(parts.authorization == testCase.authorization, "\(testCase.name): Authorization")
            if parts.canonicalRequest != testCase.canonicalRequest || parts.stringToSign != testCase.stringToSign
                || parts.authorization != testCase.authorization
            {
                failing.append(testCase.name)
            }
        }
        // One line per run: how many of the suite's cases pass, and which do not.
        print("AWS SigV4 suite: \(cases.count - failing.count) of \(cases.count) cases pass"
            + (failing.isEmpty ? "" : "; failing: \(failing.joined(separator: ", "))"))
        #expect(failing.isEmpty, "failing cases: \(failing)")
        #expect(Set(cases.map(\.name)).count == cases.count, "each case named once")
    }
}
