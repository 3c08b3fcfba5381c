import Foundation
import Testing

@Suite struct ConfigValidateTests {
    struct BadConfig: CustomTestStringConvertible, Sendable {
        let file: String
        let line: Int
        let column: Int
        let key: String
        let message: String
        var testDescription: String { file }
    }

    static let badConfigs: [BadConfig] = [
        .init(file: "01-yaml-syntax", line: 4, column: 1, key: "(top level)", message: "YAML syntax: did not find expected ',' or '}'"),
        .init(file: "02-tab-indent", line: 2, column: 1, key: "(top level)", message: "YAML syntax: found character that cannot start any token"),
        .init(file: "03-top-unknown", line: 1, column: 1, key: "refrsh", message: "unknown key; did you mean `refresh`?"),
        .init(file: "04-env-unknown", line: 3, column: 5, key: "environments[0].protectd", message: "unknown key; did you mean `protected`?"),
        .init(file: "05-missing-region", line: 4, column: 7, key: "environments[0].aws.region", message: "missing required key `region`"),
        .init(file: "06-missing-name", line: 2, column: 5, key: "environments[0].name", message: "missing required key `name`"),
        .init(file: "07-missing-environments", line: 1, column: 1, key: "environments", message: "missing required key `environments`"),
        .init(file: "08-empty-environments", line: 1, column: 15, key: "environments", message: "at least one environment is needed"),
        .init(file: "09-duplicate-env", line: 5, column: 11, key: "environments[1].name", message: "duplicate environment name `prod`"),
        .init(file: "10-crit-above-warn", line: 7, column: 18, key: "environments[0].certificates.crit_days", message: "crit_days (30) is above warn_days (7)"),
        .init(file: "11-bad-duration", line: 1, column: 10, key: "refresh", message: "`10 seconds` is not a duration"),
        .init(file: "12-bad-role-arn", line: 5, column: 17, key: "environments[0].aws.role_arn", message: "is not an ARN"),
        .init(file: "13-wrong-service-arn", line: 6, column: 12, key: "environments[0].certificates.pca", message: "is an ARN of service `iam`"),
        .init(file: "14-bad-address", line: 6, column: 19, key: "environments[0].kafka.bootstrap[0]", message: "`broker-1.prod.internal` is not an address"),
        .init(file: "15-bad-port", line: 6, column: 19, key: "environments[0].kafka.bootstrap[0]", message: "`broker:99999` is not an address"),
        .init(file: "16-wrong-type-bool", line: 3, column: 16, key: "environments[0].protected", message: "expected true or false, found `maybe`"),
        .init(file: "17-wrong-type-int", line: 6, column: 18, key: "environments[0].certificates.warn_days", message: "expected a whole number, found `thirty`"),
        .init(file: "18-wrong-type-list", line: 6, column: 15, key: "environments[0].autoscaling.groups", message: "expected a list, found a scalar"),
        .init(file: "19-wrong-type-mapping", line: 3, column: 10, key: "environments[0].aws", message: "expected a mapping, found a scalar"),
        .init(file: "20-unknown-cert-key", line: 6, column: 7, key: "environments[0].certificates.warn_dayz", message: "unknown key; did you mean `warn_days`?"),
        .init(file: "21-unknown-sasl-mechanism", line: 7, column: 26, key: "environments[0].kafka.sasl.mechanism", message: "unknown SASL mechanism `GSSAPI`"),
        .init(file: "22-missing-ca-file", line: 7, column: 23, key: "environments[0].kafka.tls.ca_file", message: "cannot read the CA file"),
        .init(file: "23-lag-crit-below-warn", line: 7, column: 32, key: "environments[0].kafka.lag.crit", message: "crit (10) is below warn (1000)"),
        .init(file: "24-duplicate-key", line: 5, column: 7, key: "environments[0].aws.region", message: "duplicate key `region` in one mapping; line 4 has it already"),
        .init(file: "25-bad-region", line: 4, column: 15, key: "environments[0].aws.region", message: "`europe` is not an AWS region name"),
        .init(file: "26-restart-unknown-service", line: 11, column: 19, key: "environments[0].secrets[0].restart[0]", message: "`kafka-broker-9` is not among ecs.services"),
        .init(file: "27-restart-without-ecs", line: 8, column: 18, key: "environments[0].secrets[0].restart", message: "need an `ecs` section"),
        .init(file: "28-duplicate-secret", line: 8, column: 15, key: "environments[0].secrets[1].name", message: "duplicate name `admin`"),
        .init(file: "29-bad-endpoint-url", line: 5, column: 17, key: "environments[0].aws.endpoint", message: "is not an http(s) URL"),
        .init(file: "30-unknown-endpoint-key", line: 7, column: 9, key: "environments[0].endpoints[0].adress", message: "unknown key; did you mean `address`?"),
        .init(file: "31-zero-duration", line: 8, column: 18, key: "environments[0].endpoints[0].timeout", message: "a duration must be longer than 0"),
        .init(file: "32-min-samples-above-window", line: 7, column: 38, key: "environments[0].kafka.lag.min_samples", message: "min_samples (5) is larger than window (3)"),
        .init(file: "33-brokers-unknown-service", line: 8, column: 18, key: "environments[0].ecs.brokers.kafka-broker-2", message: "`kafka-broker-2` is not among ecs.services"),
        .init(file: "34-empty-file", line: 1, column: 1, key: "(top level)", message: "the file is empty"),
        .init(file: "35-alphabet", line: 8, column: 43, key: "environments[0].secrets[0].generate.alphabet", message: "unknown alphabet `emoji`"),
        .init(file: "36-duplicate-key-in-list", line: 15, column: 9, key: "environments[1].secrets[1].ssm", message: "duplicate key `ssm` in one mapping; line 13 has it already"),
        .init(file: "37-duplicate-top-key", line: 6, column: 1, key: "refresh", message: "duplicate key `refresh` in one mapping; line 1 has it already"),
        .init(file: "38-timeouts-unknown", line: 4, column: 3, key: "timeouts.acton", message: "unknown key; did you mean `action`?"),
        .init(file: "39-timeouts-zero", line: 1, column: 21, key: "timeouts.source", message: "a duration must be longer than 0"),
        .init(file: "40-duration-too-long", line: 1, column: 21, key: "timeouts.action", message: "`367d` is longer than the longest duration lookout takes (366d)"),
        .init(file: "41-duration-overflow", line: 1, column: 21, key: "timeouts.source", message: "`9223372036854775807d` is not a duration; write it like 500ms, 10s, 5m or 1h"),
    ]

    @Test(arguments: badConfigs)
    func badConfigExits64NamingFileLineColumnAndKey(_ bad: BadConfig) throws {
        let path = LookoutBinary.fixtures.appendingPathComponent("bad/\(bad.file).yaml").path
        let result = try LookoutBinary.run(["config", "validate", "--config", path])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        let prefix = "lookout: \(path):\(bad.line):\(bad.column): \(bad.key): "
        #expect(result.stderr.hasPrefix(prefix), "stderr was: \(result.stderr)")
        #expect(result.stderr.contains(bad.message), "stderr was: \(result.stderr)")
    }

    @Test func everyBadFixtureIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: LookoutBinary.fixtures.appendingPathComponent("bad").path)
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Self.badConfigs.map(\.file)))
        #expect(files.count >= 25)
    }

    @Test func exampleConfigValidatesWithOneLinePerEnvironment() throws {
        let path = LookoutBinary.repository.appendingPathComponent("examples/config.yaml").path
        let result = try LookoutBinary.run(["config", "validate", "--config", path])
        #expect(result.status == 0, "stderr was: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.map { $0.prefix(while: { $0 != ":" && $0 != " " }) } == ["dev", "test", "acc", "prod"])
        #expect(lines[3].hasPrefix("prod (protected): aws eu-west-1 profile kafka-prod assuming arn:aws:iam::123456789012:role/lookout;"))
        #expect(lines[3].contains("TLS + SASL SCRAM-SHA-512 as admin"))
        #expect(lines[2].hasPrefix("acc (read-only):"))
    }

    @Test func missingConfigExits66NamingEveryPathTried() throws {
        let result = try LookoutBinary.run(["config", "validate"], environment: ["HOME": "/nonexistent-home", "LOOKOUT_CONFIG": "/nonexistent/lookout.yaml"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("/nonexistent/lookout.yaml ($LOOKOUT_CONFIG)"))
        #expect(result.stderr.contains("/nonexistent-home/.config/lookout/config.yaml (default)"))
    }

    @Test func configFlagWinsOverTheEnvironmentVariable() throws {
        let good = LookoutBinary.repository.appendingPathComponent("examples/config.yaml").path
        let bad = LookoutBinary.fixtures.appendingPathComponent("bad/03-top-unknown.yaml").path
        #expect(try LookoutBinary.run(["config", "validate", "--config", good], environment: ["LOOKOUT_CONFIG": bad]).status == 0)
        #expect(try LookoutBinary.run(["config", "validate"], environment: ["LOOKOUT_CONFIG": bad]).status == 64)
        #expect(try LookoutBinary.run(["config", "validate"], environment: ["LOOKOUT_CONFIG": good]).status == 0)
    }

    @Test func defaultPathIsUnderHome() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let folder = home.appendingPathComponent(".config/lookout")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "environments:\n  - name: solo\n    aws: { region: eu-west-1 }\n".write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let result = try LookoutBinary.run(["config", "validate"], environment: ["HOME": home.path])
        #expect(result.status == 0)
        #expect(result.stdout == "solo: aws eu-west-1\n")
    }

    @Test func unknownCommandIsAUsageError() throws {
        let result = try LookoutBinary.run(["frobnicate"])
        #expect(result.status == 64)
    }
}
