import Foundation
import Testing
@testable import LookoutModel

@Suite struct JSONValueTests {
    @Test func serializesWithOrderedKeysAndExplicitNulls() {
        let value = JSONValue.object([("b", .int(1)), ("a", .null), ("s", .string("q\"\n\u{1}")), ("l", .array([.bool(true), .double(1.5)]))])
        #expect(value.serialized() == #"{"b":1,"a":null,"s":"q\"\n\u0001","l":[true,1.5]}"#)
    }

    @Test func formatsTimesAsRFC3339UTC() {
        #expect(rfc3339(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(rfc3339(Date(timeIntervalSince1970: 951_782_400.9)) == "2000-02-29T00:00:00Z")
        #expect(rfc3339(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    /// The arithmetic against Foundation's ISO 8601 formatter, over dates from 1900 to 2200.
    @Test func rfc3339AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator)))
            #expect(rfc3339(date) == formatter.string(from: date))
        }
    }

    @Test func prettyOutputIndentsByTwoAndParsesBack() throws {
        let value = JSONValue.object([("a", .array([.int(1), .object([("b", .double(-0.0)), ("c", .double(3))]), .array([])])),
                                      ("d", .object([])), ("e", .string("ü \u{7f}\\ \t"))])
        #expect(value.serialized(pretty: true) == """
        {
          "a": [
            1,
            {
              "b": -0.0,
              "c": 3.0
            },
            []
          ],
          "d": {},
          "e": "ü \u{7f}\\\\ \\t"
        }
        """)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(value.serialized(pretty: true).utf8)) as? [String: Any])
        #expect(parsed["e"] as? String == "ü \u{7f}\\ \t")
    }
}

@Suite struct NagiosOutputTests {
    private func environment(_ name: String, _ status: Status, findings: [Finding] = []) -> EnvironmentSnapshot {
        EnvironmentSnapshot(name: name, protected: false, readOnly: false, status: status,
                            sources: [SourceState(name: "ecs", status: status, fetchedAt: nil, ageSeconds: nil, durationMs: 7, error: nil, errorSince: nil)],
                            findings: findings, ecs: nil, autoscaling: nil, secrets: nil, certificates: nil, healthChecks: nil, kafka: nil)
    }

    @Test func firstLineCarriesStateSummaryAndPerfdataThenProblemsWorstFirst() {
        let snapshot = Snapshot(generatedAt: Date(), environments: [
            environment("dev", .ok),
            environment("acc", .warn, findings: [Finding(status: .warn, source: "autoscaling", object: "asg", message: "instance i-1 is Unhealthy | x")]),
            environment("prod", .crit, findings: [Finding(status: .crit, source: "ecs", object: "b1", message: "no task running (desired 1)")]),
        ])
        let lines = snapshot.nagiosOutput.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("LOOKOUT CRITICAL - 3 environments: 1 crit, 1 warn, 1 ok; worst: prod ecs b1: no task running (desired 1) | "))
        #expect(lines[0].filter { $0 == "|" }.count == 1)
        #expect(lines[1] == "CRITICAL: prod ecs b1: no task running (desired 1)")
        #expect(lines[2] == "WARNING: acc autoscaling asg: instance i-1 is Unhealthy / x")
        #expect(snapshot.nagiosExitCode == 2)
        #expect(snapshot.perfdata.contains("environments_crit=1;;;0;3"))
        #expect(snapshot.perfdata.contains("'prod_ecs_duration'=7ms;;;0;"))
    }
}
