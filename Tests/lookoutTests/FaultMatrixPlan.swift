import Foundation
import Testing
import LookoutTestSupport

/// Issue 24's fault matrix as data: every source against every fault, each cell either run on
/// one environment of the sandbox (a `FaultRun`, which may cover several cells: a refused AWS
/// address fails every AWS source at once) or not applicable, with the reason. The runs are made
/// by `FaultMatrixSandboxTests` (one environment per process, the four side by side); the grid
/// is written to docs/faults/README.md by `FaultMatrixPlanTests`, the runs' figures to
/// docs/faults/<environment>.md by the test that ran them.
enum FaultMatrix {
    static let sources = ["ecs", "autoscaling", "secrets", "certificates", "route53", "kafka", "groups", "endpoints"]
    static let awsSources = ["ecs", "autoscaling", "secrets", "certificates", "route53"]

    enum Fault: String, CaseIterable, Sendable {
        case refused = "connection refused"
        case blackHole = "black hole"
        case slow = "slower than its timeout"
        case garbage = "garbage bytes"
        case http5xx = "HTTP 5xx"
        case throttled = "throttling"
        case tlsUntrusted = "TLS untrusted"
        case tlsWrongName = "TLS wrong name"
        case tlsExpired = "TLS expired"
        case credentialsExpired = "credentials expired"
        case credentialsRefused = "credentials refused"
    }

    /// One fault applied to one environment, and what it must do there.
    struct Run: Sendable, CustomStringConvertible {
        var environment: String
        var fault: Fault
        /// The matrix rows (sources under the fault) this run answers for.
        var covers: [String]
        /// `./sandbox/scenario NAME ENV [ARGUMENT]`.
        var scenario: String
        var argument: String?
        /// Sources that must turn `unknown`, keeping the age of their last good data.
        var unknown: [String]
        /// Sources whose measurement the fault is, so they turn `crit` (an endpoint that refuses
        /// its connection is down, not unknown), with the fault in their finding.
        var crit: [String] = []
        /// Words the unknown sources' error must hold.
        var says: String

        var description: String { "\(environment) \(scenario)\(argument.map { " " + $0 } ?? "")" }
        /// Slow faults need their delay above the source's timeout.
        var slow: Bool { fault == .slow }
    }

    /// A source's AWS service, as the fault proxy names it (the SigV4 scope).
    static let service = ["ecs": "ecs", "autoscaling": "autoscaling", "secrets": "ssm", "certificates": "acm-pca", "route53": "route53"]
    /// What else reads that service: the certificates source reads the tracked certificates' SSM parameters.
    static let alsoReading = ["ssm": ["certificates"]]

    /// The AWS faults the proxy makes per service, with the words lookout's error must hold.
    static let perService: [(Fault, String, String)] = [
        (.blackHole, "aws-blackhole", "timed out"),
        (.slow, "aws-slow", "timed out"),
        (.garbage, "aws-garbage", "unreadable answer"),
        (.http5xx, "aws-5xx", "HTTP 500"),
        (.throttled, "aws-throttle", "Throttling"),  // ThrottlingException (JSON), Throttling (Query)
        (.credentialsExpired, "aws-expired", "ExpiredToken"),
        (.credentialsRefused, "aws-denied", "AccessDenied"),
    ]

    static func perServiceRuns(_ source: String, on environment: String) -> [Run] {
        let service = Self.service[source]!
        let unknown = [source] + (alsoReading[service] ?? [])
        return perService.map { fault, scenario, says in
            Run(environment: environment, fault: fault, covers: [source], scenario: scenario, argument: service, unknown: unknown, says: says)
        }
    }

    static func kafkaRuns(on environment: String) -> [Run] {
        [(Fault.refused, "kafka-refuse", "connection refused"), (.blackHole, "kafka-blackhole", "no answer within"),
         (.slow, "kafka-slow", "no answer within"), (.garbage, "kafka-garbage", "an answer to unknown request")].map { fault, scenario, says in
            // The group calls need the cluster's metadata: they are unknown with it.
            Run(environment: environment, fault: fault, covers: ["kafka"], scenario: scenario, unknown: ["kafka", "groups"], says: says)
        }
    }

    static func groupRuns(on environment: String) -> [Run] {
        [(Fault.refused, "groups-refuse", "connection closed"), (.blackHole, "groups-blackhole", "no answer within"),
         (.slow, "groups-slow", "no answer within"), (.garbage, "groups-garbage", "cannot read the answer")].map { fault, scenario, says in
            Run(environment: environment, fault: fault, covers: ["groups"], scenario: scenario, unknown: ["groups"], says: says)
        }
    }

    static func endpointRuns(on environment: String) -> [Run] {
        [(Fault.refused, "endpoint-refuse", "refused"), (.blackHole, "endpoint-blackhole", ""),
         (.slow, "endpoint-slow", ""), (.garbage, "endpoint-garbage", "")].map { fault, scenario, says in
            Run(environment: environment, fault: fault, covers: ["endpoints"], scenario: scenario, unknown: [], crit: ["endpoints"], says: says)
        }
    }

    /// Each environment's share, balanced so the four finish together (the slow cells cost a timeout each).
    static let runs: [Run] = {
        var all: [Run] = []
        // dev (plaintext): AWS refused as a whole, SSM's calls, the cluster, the endpoint.
        all.append(Run(environment: "dev", fault: .refused, covers: awsSources, scenario: "aws-refuse", unknown: awsSources, says: "could not connect"))
        all += perServiceRuns("secrets", on: "dev")
        // kafka-garbage reaches open connections, the sandbox traffic's too: on dev it upset the
        // `analytics` group that dev's verdict test relies on, so it runs on test (CI run 18).
        all += kafkaRuns(on: "dev").filter { $0.fault != .garbage }
        all += endpointRuns(on: "dev")
        // test (SASL PLAIN over plaintext, so the proxy can pick the group calls by API key).
        all += perServiceRuns("ecs", on: "test")
        all += groupRuns(on: "test")
        all += kafkaRuns(on: "test").filter { $0.fault == .garbage }
        all.append(Run(environment: "test", fault: .credentialsRefused, covers: ["kafka", "groups", "endpoints"], scenario: "kafka-login-refused",
                       unknown: ["kafka", "groups"], crit: ["endpoints"], says: "authentication failed for user admin"))
        // acc (TLS; its AWS over HTTPS through the sandbox's TLS front).
        for (fault, scenario, says) in [(Fault.tlsUntrusted, "aws-tls-untrusted", "self-signed"), (.tlsWrongName, "aws-tls-wrong-name", "subject name"),
                                        (.tlsExpired, "aws-tls-expired", "expired")] {
            all.append(Run(environment: "acc", fault: fault, covers: awsSources, scenario: scenario, unknown: awsSources, says: says))
        }
        for (fault, scenario, says) in [(Fault.tlsUntrusted, "cert-untrusted", "not trusted"), (.tlsWrongName, "cert-wrong-name", "does not match"),
                                        (.tlsExpired, "cert-expired", "expired")] {
            // The brokers serve it, and so does the public endpoint in front of them.
            all.append(Run(environment: "acc", fault: fault, covers: ["kafka", "groups", "endpoints"], scenario: scenario,
                           unknown: ["kafka", "groups"], crit: ["endpoints"], says: says))
        }
        all += perServiceRuns("autoscaling", on: "acc")
        // prod (SCRAM over TLS): the Private CA's calls and Route53's.
        all += perServiceRuns("certificates", on: "prod")
        all += perServiceRuns("route53", on: "prod")
        return all
    }()

    /// Cells no run can make, and why.
    static func notApplicable(_ source: String, _ fault: Fault) -> String? {
        let kafkaSide = ["kafka", "groups", "endpoints"].contains(source)
        switch fault {
        case .http5xx where kafkaSide, .throttled where kafkaSide:
            return source == "endpoints"
                ? "the probe speaks Kafka or TCP, not HTTP: no status to send (a slow answer is the slow column)"
                : "Kafka has no HTTP status; a broker's throttle_time_ms is a delay, the slow column"
        case .credentialsExpired where kafkaSide:
            return "PLAIN and SCRAM passwords carry no expiry: a password the broker stops taking is the refused column"
        default:
            return nil
        }
    }

    static func runs(covering source: String, _ fault: Fault) -> [Run] {
        runs.filter { $0.fault == fault && $0.covers.contains(source) }
    }

    static func runs(on environment: String) -> [Run] {
        runs.filter { $0.environment == environment }
    }
}

/// The grid of the fault matrix: every cell run somewhere or said not to apply, never both; written
/// to docs/faults/README.md.
struct FaultMatrixPlanTests {
    @Test func everyCellIsRunOrSaysWhyNot() throws {
        var rows = [
            "# Fault matrix",
            "",
            "Every source against every fault (issue 24). A cell names the environment whose test run made the fault",
            "(its figures in `<environment>.md` beside this file, written by `FaultMatrixRunsSandboxTests`), or says",
            "why the fault cannot happen to that source. Written by `FaultMatrixPlanTests` from the plan",
            "(`Tests/lookoutTests/FaultMatrixPlan.swift`).",
            "",
            "| source | " + FaultMatrix.Fault.allCases.map(\.rawValue).joined(separator: " | ") + " |",
            "|---|" + FaultMatrix.Fault.allCases.map { _ in "---|" }.joined(),
        ]
        var notes: [String] = []
        for source in FaultMatrix.sources {
            var cells: [String] = []
            for fault in FaultMatrix.Fault.allCases {
                let runs = FaultMatrix.runs(covering: source, fault)
                let reason = FaultMatrix.notApplicable(source, fault)
                #expect(runs.isEmpty != (reason == nil), "\(source) × \(fault.rawValue): \(runs.count) runs, reason \(reason ?? "none")")
                if let reason {
                    if !notes.contains(reason) { notes.append(reason) }
                    cells.append("n/a (\(notes.firstIndex(of: reason)! + 1))")
                } else {
                    cells.append(runs.map { "[\($0.environment)](\($0.environment).md) `\($0.scenario)`" }.joined(separator: "<br>"))
                }
            }
            rows.append("| \(source) | " + cells.joined(separator: " | ") + " |")
        }
        rows += ["", "Not applicable:", ""] + notes.enumerated().map { "\($0.offset + 1). \($0.element)" }
        rows += ["", "What a run shows: the faulted sources `unknown` in `snapshot --format json` with their error and",
                 "`age_seconds`, and in `check` (`UNKNOWN: ENV SOURCE: ... showing data from Ns ago`); the endpoint",
                 "probe's faults are its measurement, so `endpoints` turns `crit` with the failed phase; the",
                 "environment's other sources stay known; the console (tmux) shows the same rows and answers `?` and",
                 "Escape meanwhile; after `./sandbox/scenario reset ENV` the next snapshot and the console's next poll",
                 "read the sources again. Another environment's isolation from the fault is shown by",
                 "`FaultMatrixSandboxTests` and the phase-2 tests (`aFaultyAWSEndpointMakesOnlyThatEnvironmentUnknown`,",
                 "`aFaultyKafkaAddressMakesOnlyThatClusterUnknown`): the four environments run their matrix side by side,",
                 "so here each asserts only on itself.",
                 "",
                 "AWS faults on one source are made by the proxy per SigV4 service (`aws-5xx ENV ssm`); SSM's also fail",
                 "the certificates source (it reads the tracked certificates' parameters). A refused connection cannot",
                 "choose a service, so `aws-refuse` refuses the whole address and fails the five AWS sources at once; so",
                 "do the TLS faults of acc's HTTPS front.", ""]
        let folder = SandboxLocation.repository.appendingPathComponent("docs/faults")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try rows.joined(separator: "\n").write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
    }
}
