import Foundation
import Testing
@testable import LookoutConfig

@Suite struct ConfigDecodingTests {
    private func decode(_ yaml: String, file: String = "/etc/lookout/config.yaml") throws -> Config {
        try Config.decode(yaml: yaml, file: file, home: "/home/sre", stateHome: "/home/sre/.local/state")
    }

    @Test func appliesDefaults() throws {
        let config = try decode("environments:\n  - name: dev\n    aws: { region: eu-west-1 }\n")
        #expect(config.refresh.milliseconds == 10_000)
        #expect(config.theme == "default")
        #expect(config.auditLog == "/home/sre/.local/state/lookout/audit.jsonl")
        let dev = try #require(config.environment(named: "dev"))
        #expect(dev.protected == false)
        #expect(dev.readOnly == false)
        #expect(dev.endpoints.isEmpty && dev.secrets.isEmpty && dev.kafka == nil)
        // timeouts: lookout's defaults, copied into every environment
        #expect(config.timeouts.source.milliseconds == 10_000 && config.timeouts.action.milliseconds == 300_000)
        #expect(config.timeouts.actionPoll.milliseconds == 1000 && dev.timeouts == config.timeouts)
    }

    @Test func timeoutsAreReadAndCopiedIntoEveryEnvironment() throws {
        let config = try decode("""
            timeouts: { source: 4s, action: 2m, action_poll: 250ms }
            environments:
              - name: dev
                aws: { region: eu-west-1 }
              - name: prod
                aws: { region: eu-west-1 }
            """)
        #expect(config.timeouts.source.milliseconds == 4000)
        #expect(config.timeouts.action.milliseconds == 120_000)
        #expect(config.timeouts.actionPoll.milliseconds == 250)
        #expect(config.environments.allSatisfy { $0.timeouts == config.timeouts })
        // one key alone leaves the others at their defaults
        let partial = try decode("timeouts: { source: 3s }\nenvironments:\n  - name: dev\n    aws: { region: eu-west-1 }\n")
        #expect(partial.timeouts.source.milliseconds == 3000 && partial.timeouts.action.milliseconds == 300_000)
    }

    @Test func resolvesPathsAgainstTheConfigFolderAndHome() throws {
        let config = try decode("audit_log: ~/audit.jsonl\ntheme: ./themes/mine.yaml\nenvironments:\n  - name: dev\n    aws: { region: eu-west-1 }\n")
        #expect(config.auditLog == "/home/sre/audit.jsonl")
        #expect(config.theme == "/etc/lookout/themes/mine.yaml")
    }

    @Test func decodesTheExampleConfig() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../examples/config.yaml").standardizedFileURL
        let text = try String(contentsOf: url, encoding: .utf8)
        let config = try decode(text, file: url.path)
        #expect(config.environments.map(\.name) == ["dev", "test", "acc", "prod"])
        let prod = try #require(config.environment(named: "prod"))
        #expect(prod.protected)
        #expect(prod.aws.roleARN?.account == "123456789012")
        #expect(prod.ecs?.brokers == ["kafka-broker-1": 1, "kafka-broker-2": 2, "kafka-broker-3": 3])
        let kafka = try #require(prod.kafka)
        #expect(kafka.bootstrap.first == Address(host: "broker-1.prod.internal", port: 9094))
        #expect(kafka.tls?.caFile == url.deletingLastPathComponent().appendingPathComponent("ca.pem").path)
        #expect(kafka.sasl?.mechanism == .scramSHA512)
        #expect(kafka.lag.warn == 1000 && kafka.lag.crit == 100_000 && kafka.lag.window == 10 && kafka.lag.minSamples == 3)
        #expect(prod.certificates?.tracked.first?.restart.count == 3)
        #expect(prod.endpoints.first?.timeout.milliseconds == 5000)
        #expect(prod.endpoints.first?.warnMs == 500)
        #expect(prod.secrets.first?.generate.length == 32)
        let acc = try #require(config.environment(named: "acc"))
        #expect(acc.readOnly)
    }

    @Test func errorsCarryLineColumnAndKeyPath() {
        #expect(throws: ConfigError(file: "/etc/lookout/config.yaml", line: 4, column: 7, keyPath: "environments[0].aws.regoin",
                                    message: "unknown key; did you mean `region`?")) {
            try decode("environments:\n  - name: dev\n    aws:\n      regoin: eu-west-1\n")
        }
    }

    @Test func lookupOrderIsFlagThenEnvironmentThenDefault() {
        let locator = ConfigLocator(environment: ["HOME": "/home/sre", "LOOKOUT_CONFIG": "/srv/lookout.yaml"])
        #expect(locator.candidates(explicit: "/tmp/a.yaml").map(\.path) == ["/tmp/a.yaml"])
        #expect(locator.candidates(explicit: nil).map(\.path) == ["/srv/lookout.yaml", "/home/sre/.config/lookout/config.yaml"])
        #expect(ConfigLocator(environment: ["HOME": "/h", "XDG_STATE_HOME": "relative"]).stateHome == "/h/.local/state")
    }
}
