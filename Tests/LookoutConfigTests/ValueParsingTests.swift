import Testing
@testable import LookoutConfig

@Suite struct DurationParsingTests {
    @Test(arguments: [("10s", 10_000), ("5m", 300_000), ("250ms", 250), ("1h30m", 5_400_000), ("2d", 172_800_000), ("0s", 0)] as [(String, Int64)])
    func parses(text: String, milliseconds: Int64) {
        #expect(ConfigDuration(parsing: text)?.milliseconds == milliseconds)
    }

    /// Beyond 64 bits of milliseconds, in one term or in the sum: not a duration (it trapped).
    @Test(arguments: ["9223372036854775807d", "106751991167301d", "9223372036854775807ms1ms", "99999999999999999999s"])
    func rejectsWhatOverflows(text: String) {
        #expect(ConfigDuration(parsing: text) == nil)
    }

    @Test(arguments: ["", "10", "s", "10 s", "10x", "-5s", "1.5s", "10seconds", "m5"])
    func rejects(text: String) {
        #expect(ConfigDuration(parsing: text) == nil)
    }

    @Test func describesInTheLargestWholeUnit() {
        #expect(ConfigDuration(milliseconds: 300_000).description == "5m")
        #expect(ConfigDuration(milliseconds: 1500).description == "1500ms")
    }
}

@Suite struct AddressParsingTests {
    @Test func parsesHostAndPort() {
        #expect(Address(parsing: "broker-1.prod.internal:9094") == Address(host: "broker-1.prod.internal", port: 9094))
        #expect(Address(parsing: "[::1]:9092") == Address(host: "::1", port: 9092))
        #expect(Address(parsing: "[::1]:9092")?.description == "[::1]:9092")
    }

    @Test(arguments: ["broker", "broker:", ":9092", "broker:0", "broker:65536", "broker:9o92", "::1:9092", "[::1]9092", "a b:1"])
    func rejects(text: String) {
        #expect(Address(parsing: text) == nil)
    }
}

@Suite struct ARNParsingTests {
    @Test func parsesTheSixParts() throws {
        let arn = try #require(ARN(parsing: "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc"))
        #expect(arn.service == "acm-pca")
        #expect(arn.region == "eu-west-1")
        #expect(arn.account == "123456789012")
        #expect(arn.resource == "certificate-authority/abc")
        #expect(ARN(parsing: "arn:aws:iam::123456789012:role/lookout")?.region == "")
    }

    @Test(arguments: ["arn:aws:iam::12345:role/x", "aws:iam::123456789012:role/x", "arn:azure:iam::123456789012:role/x", "arn:aws:iam::123456789012:", "arn:aws::eu-west-1:123456789012:x"])
    func rejects(text: String) {
        #expect(ARN(parsing: text) == nil)
    }
}

@Suite struct SuggestionTests {
    @Test func suggestsTheNearestKnownKey() {
        #expect(nearest(to: "warn_dayz", among: ["warn_days", "crit_days", "pca"]) == "warn_days")
        #expect(nearest(to: "reigon", among: ["region", "profile"]) == "region")
        #expect(nearest(to: "completely_else", among: ["region", "profile"]) == nil)
    }
}
