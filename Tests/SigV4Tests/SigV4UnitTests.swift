import Foundation
import Testing

@testable import SigV4

@Suite("SigV4 pieces")
struct SigV4UnitTests {
    @Test("URL split keeps the wire form", arguments: [
        ("https://Example.com:443/a%20b/?x=1#frag", "https", "example.com", 443, "/a%20b/", "x=1", "example.com"),
        ("http://127.0.0.1:5000", "http", "127.0.0.1", 5000, "", "", "127.0.0.1:5000"),
        ("https://user:pw@[::1]:8443/p?q", "https", "[::1]", 8443, "/p", "q", "[::1]:8443"),
    ])
    func urlSplit(
        url: String, scheme: String, host: String, port: Int?, path: String, query: String, hostHeader: String
    ) {
        let parsed = SigV4URL(url)
        #expect(parsed.scheme == scheme)
        #expect(parsed.host == host)
        #expect(parsed.port == port)
        #expect(parsed.path == path)
        #expect(parsed.query == query)
        #expect(parsed.hostHeader == hostHeader)
    }

    @Test("timestamps in UTC without a locale")
    func timestamps() {
        let stamp = SigV4Timestamp(Date(timeIntervalSince1970: 1_440_938_160))
        #expect(stamp.basic == "20150830T123600Z")
        #expect(stamp.day == "20150830")
        #expect(stamp.httpDate == "Sun, 30 Aug 2015 12:36:00 -0000")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 951_782_400)).basic == "20000229T000000Z")
    }

    @Test("credentials never print their secret parts")
    func redactedCredentials() {
        let credentials = SigV4Credentials(accessKeyId: "AKID", secretAccessKey: "s3cr3t-key", sessionToken: "tok-123")
        for text in [String(describing: credentials), String(reflecting: credentials), "\(credentials)"] {
            #expect(!text.contains("s3cr3t-key"))
            #expect(!text.contains("tok-123"))
        }
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("s3cr3t-key"))
        #expect(!dumped.contains("tok-123"))
    }
}
