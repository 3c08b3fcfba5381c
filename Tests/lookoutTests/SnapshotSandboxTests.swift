import Foundation
import Testing
import LookoutTestSupport

/// `snapshot` and `check` against the sandbox's moto servers, compared with boto3's reading of
/// the same resources, and broken through the sandbox's fault proxies (never by stopping moto).
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct SnapshotSandboxTests {
    let stateHome = Sandbox.temporaryStateHome()

    func snapshot(_ extra: [String] = []) throws -> JSONObject {
        let result = try LookoutBinary.run(["snapshot", "--format", "json"] + extra, environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try parseJSON(result.stdout)
    }

    func environment(_ snapshot: JSONObject, _ name: String) throws -> JSONObject {
        let environments = snapshot["environments"] as? [JSONObject] ?? []
        return try #require(environments.first { $0["name"] as? String == name })
    }

    func sources(_ environment: JSONObject) -> [String: JSONObject] {
        Dictionary(uniqueKeysWithValues: (environment["sources"] as? [JSONObject] ?? []).map { ($0["name"] as! String, $0) })
    }

    /// Only the keys boto3's reading has, so the two can be compared as values.
    func project(_ value: Any, like reference: Any) -> Any {
        if let object = value as? JSONObject, let shape = reference as? JSONObject {
            return Dictionary(uniqueKeysWithValues: shape.keys.compactMap { key in object[key].map { (key, project($0, like: shape[key]!)) } })
        }
        if let array = value as? [Any], let shape = reference as? [Any], let first = shape.first {
            return array.map { project($0, like: first) }
        }
        return value
    }

    func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    @Test(arguments: SandboxEnvironments.selected(["dev", "test", "acc", "prod"]))
    func everyFieldEqualsWhatBoto3Reads(_ name: String) throws {
        let lookout = try environment(try snapshot(["--env", name]), name)
        let boto = try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("boto3_reads.py").path, [Sandbox.folder!.path, name]))
        #expect(lookout["status"] as? String != "unknown")
        for key in ["ecs", "autoscaling", "secrets", "health_checks"] {
            let theirs = try #require(boto[key])
            let ours = try #require(lookout[key], "lookout has no \(key)")
            #expect(try canonical(project(ours, like: theirs)) == canonical(theirs), "\(name) \(key) differs")
        }
        let certificates = try #require(lookout["certificates"] as? [JSONObject])
        for expected in try #require(boto["certificates"] as? [JSONObject]) {
            let ours = try #require(certificates.first { $0["source"] as? String == expected["source"] as? String && $0["name"] as? String == expected["name"] as? String })
            #expect(ours["serial"] as? String == expected["serial"] as? String)
            #expect(ours["not_after"] as? String == expected["not_after"] as? String)
        }
        let tracked = try #require(certificates.first { $0["source"] as? String == "tracked" })
        #expect(tracked["chains_to_ca"] as? Bool == true)
        // Values moto does not report stay null, never invented.
        for task in (lookout["ecs"] as? JSONObject)?["tasks"] as? [JSONObject] ?? [] {
            #expect(task["started_at"] is NSNull)
            #expect(task["health"] is NSNull)
        }
    }

    @Test func outputFollowsTheStrictSchema() throws {
        let result = try LookoutBinary.run(["snapshot", "--format", "json"], environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString).json")
        try result.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let schema = LookoutBinary.repository.appendingPathComponent("schema/snapshot.schema.json").path
        let check = try Sandbox.run(Sandbox.folder!.appendingPathComponent("venv/bin/python").path, ["-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))
            jsonschema.Draft202012Validator.check_schema(schema)
            jsonschema.Draft202012Validator(schema).validate(doc)
            """, schema, file.path])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test(arguments: [("aws-refuse", "connect"), ("aws-blackhole", "timed out"), ("aws-throttle", "Throttl"), ("aws-garbage", "")])
    func aFaultyAWSEndpointMakesOnlyThatEnvironmentUnknown(scenario: String, cause: String) throws {
        try Sandbox.scenario(scenario, "acc")
        defer { try? Sandbox.scenario("reset", "acc") }
        let all = try snapshot()
        let acc = try environment(all, "acc")
        #expect(acc["status"] as? String == "unknown")
        // acc's Kafka (metadata and groups) and endpoints trust a ca_file and log in with no SASL: they need no AWS.
        let withoutAWS: Set = ["kafka", "groups", "endpoints"]
        for (name, source) in sources(acc) {
            #expect((source["status"] as? String == "unknown") == !withoutAWS.contains(name), "acc \(name)")
        }
        let errors = acc["errors"] as? [JSONObject] ?? []
        #expect(errors.count == sources(acc).count - withoutAWS.count)
        for error in errors {
            let message = error["message"] as? String ?? ""
            #expect(message.hasPrefix("acc \(error["source"] as? String ?? "?"): "), "\(message)")
            if !cause.isEmpty { #expect(message.contains(cause), "\(message)") }
            #expect(!(message.contains("SecretAccessKey") || message.contains("aws_secret_access_key")))
        }
        for other in ["dev", "test", "prod"] {
            let environment = try environment(all, other)
            #expect((environment["errors"] as? [JSONObject])?.isEmpty == true, "\(other) should be untouched")
            for (name, source) in sources(environment) {
                #expect(source["status"] as? String != "unknown", "\(other) \(name)")
                #expect((source["duration_ms"] as? Int ?? .max) < 5000, "\(other) \(name) was held up")
                #expect(source["fetched_at"] is String)
            }
        }
    }

    @Test func aFailedSourceReportsTheAgeOfItsLastGoodDataAcrossRuns() throws {
        _ = try snapshot(["--env", "acc"])
        try Sandbox.scenario("aws-refuse", "acc")
        defer { try? Sandbox.scenario("reset", "acc") }
        Thread.sleep(forTimeInterval: 1.2)
        let first = try environment(try snapshot(["--env", "acc"]), "acc")
        let firstErrors = first["errors"] as? [JSONObject] ?? []
        Thread.sleep(forTimeInterval: 1.2)
        let second = try environment(try snapshot(["--env", "acc"]), "acc")
        for (name, source) in sources(second) where !["kafka", "groups", "endpoints"].contains(name) {
            #expect(source["status"] as? String == "unknown")
            #expect(source["fetched_at"] is String, "\(name): the last good fetch is remembered")
            #expect((source["age_seconds"] as? Int ?? 0) >= 2, "\(name)")
        }
        let since = Dictionary(uniqueKeysWithValues: firstErrors.map { ($0["source"] as! String, $0["since"] as? String) })
        for error in second["errors"] as? [JSONObject] ?? [] {
            #expect(error["since"] as? String == since[error["source"] as! String] ?? "", "failing since the first failed run")
        }
    }

    @Test func anUnhealthyInstanceWarns() throws {
        try Sandbox.scenario("instance-unhealthy", "acc")
        defer { try? Sandbox.scenario("reset", "acc") }
        let acc = try environment(try snapshot(["--env", "acc"]), "acc")
        #expect(sources(acc)["autoscaling"]?["status"] as? String == "warn")
        let findings = acc["findings"] as? [JSONObject] ?? []
        #expect(findings.contains { $0["source"] as? String == "autoscaling" && ($0["message"] as? String ?? "").contains("Unhealthy") })
        let check = try LookoutBinary.run(["check", "--env", "acc"], environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        #expect(check.status >= 1)
        #expect(check.stdout.contains("WARNING: acc autoscaling kafka-acc-asg: instance "))
    }

    @Test func aChangedSecretIsRollPendingUntilTheAgentRolledItsServices() throws {
        let script = Sandbox.support.appendingPathComponent("change_secret.py").path
        let version = try Sandbox.python(script, [Sandbox.folder!.path, "acc", "put"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let secret = { (environment: JSONObject) in
            (environment["secrets"] as? [JSONObject] ?? []).first { $0["name"] as? String == "client-password" }
        }
        let before = try #require(secret(try environment(try snapshot(["--env", "acc"]), "acc")))
        #expect("\(before["version"] as? Int ?? -1)" == version)
        #expect(before["roll_pending"] as? Bool == true)

        _ = try Sandbox.python(script, [Sandbox.folder!.path, "acc", "roll"])
        var after: JSONObject?
        for _ in 0..<60 {
            after = secret(try environment(try snapshot(["--env", "acc"]), "acc"))
            if after?["roll_pending"] as? Bool == false { break }
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(after?["roll_pending"] as? Bool == false, "the agent rolled the services within 60 polls")
        #expect("\(after?["version"] as? Int ?? -1)" == version)
    }

    @Test func checkSpeaksTheNagiosConvention() throws {
        let result = try LookoutBinary.run(["check"], environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        #expect((0...3).contains(result.status))
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.range(of: #"^LOOKOUT (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \| \S"#, options: .regularExpression) != nil, "\(first)")
        let bad = try LookoutBinary.run(["check", "--config", "/nonexistent.yaml"])
        #expect(bad.status == 3)
        #expect(bad.stdout.hasPrefix("LOOKOUT UNKNOWN - cannot run the check: no config file found"))
    }
}
