import Foundation
import Testing
import LookoutTestSupport

/// A strict reader of Nagios plugin output (Monitoring Plugins Development Guidelines): the first
/// line `LOOKOUT <STATE> - <text> | <perfdata>`, perfdata `'label'=value[UOM];[warn];[crit];[min];[max]`.
enum NagiosParser {
    struct Output {
        let state: String
        let summary: String
        let perfdata: [(label: String, value: Double, unit: String)]
        let details: [String]
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static let units: Set<String> = ["", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"]

    static func parse(_ text: String) throws -> Output {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { throw Malformed(description: "no output") }
        guard let head = first.wholeMatch(of: /LOOKOUT (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?) \| (.+)/) else {
            throw Malformed(description: "first line: \(first)")
        }
        var perfdata: [(String, Double, String)] = []
        for item in head.3.split(separator: " ") {
            guard let match = item.wholeMatch(of: /('[^'=]+'|[^'= ]+)=(-?[0-9]+(?:\.[0-9]+)?)([a-zA-Z%]*)((?:;-?[0-9.]*){0,4})/) else {
                throw Malformed(description: "perfdata item `\(item)`")
            }
            let unit = String(match.3)
            guard units.contains(unit) else { throw Malformed(description: "unit `\(unit)` in `\(item)`") }
            perfdata.append((String(match.1).trimmingCharacters(in: CharacterSet(charactersIn: "'")), Double(String(match.2))!, unit))
        }
        for line in lines.dropFirst() where line.contains("|") {
            throw Malformed(description: "a `|` in a detail line: \(line)")
        }
        return Output(state: String(head.1), summary: String(head.2), perfdata: perfdata, details: Array(lines.dropFirst()))
    }
}

@Suite struct NagiosParserTests {
    @Test(arguments: [
        "LOOKOUT FINE - all good | a=1",
        "LOOKOUT OK - all good",
        "LOOKOUT OK - all good | a=1 b=x",
        "LOOKOUT OK - all good | a=1parsecs",
        "LOOKOUT OK - all good | 'a b=1",
        "LOOKOUT OK - all good | a=1\nCRITICAL: x | y",
        "OK - all good | a=1",
    ])
    func rejectsMalformedOutput(_ text: String) {
        #expect(throws: (any Error).self) { try NagiosParser.parse(text) }
    }

    @Test func acceptsWellFormedOutput() throws {
        let output = try NagiosParser.parse("LOOKOUT WARNING - 1 warn | 'prod_ecs_duration'=7ms;;;0; environments_ok=3;;;0;4\nWARNING: prod ecs b1: 0 of 1\n")
        #expect(output.state == "WARNING")
        #expect(output.perfdata.count == 2)
        #expect(output.perfdata[0].unit == "ms")
        #expect(output.details == ["WARNING: prod ecs b1: 0 of 1"])
    }
}

@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct MonitoringOutputSandboxTests {
    let stateHome = Sandbox.temporaryStateHome()

    func run(_ arguments: [String]) throws -> LookoutBinary.Result {
        try LookoutBinary.run(arguments, environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
    }

    @Test func checkOutputParsesStrictly() throws {
        let result = try run(["check"])
        let output = try NagiosParser.parse(result.stdout)
        #expect(Int32(["OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3][output.state]!) == result.status)
        let labels = Set(output.perfdata.map(\.label))
        for status in ["ok", "warn", "crit", "unknown"] { #expect(labels.contains("environments_\(status)")) }
        #expect(output.perfdata.filter { $0.label.hasPrefix("environments_") }.reduce(0) { $0 + $1.value } == 4)
        #expect(labels.contains("prod_cert_days_left"))
        #expect(output.details.allSatisfy { $0.range(of: #"^(WARNING|CRITICAL|UNKNOWN): (dev|test|acc|prod) \S+ .+: .+"#, options: .regularExpression) != nil })
    }

    /// JSON that cannot be written (stdout on a full device) is not a success with the document
    /// cut short: the snapshot says why on stderr and exits 74 (EX_IOERR).
    @Test func aSnapshotThatCannotBeWrittenSaysSoAndFails() throws {
        let process = Process()
        process.executableURL = LookoutBinary.url
        process.arguments = ["snapshot", "--format", "json"]
        var environment = ["HOME": "/nonexistent-home", "PATH": "/usr/bin:/bin", "COLUMNS": "80"]
        environment.merge(Sandbox.lookoutEnvironment(stateHome: stateHome)) { $1 }
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 74, "\(stderr)")
        #expect(stderr.contains("lookout: cannot write the snapshot to standard output: No space left on device; what was written is cut short"), "\(stderr)")
    }

    @Test func prometheusOutputParsesWithPrometheusClient() throws {
        let json = try parseJSON(try run(["snapshot", "--format", "json"]).stdout)
        let text = try run(["snapshot", "--format", "prometheus"]).stdout
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let parsed = try Sandbox.run(Sandbox.folder!.appendingPathComponent("venv/bin/python").path, ["-c", """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.setdefault(s.name, []).append({"labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """, file.path])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let metrics = try parseJSON(parsed.stdout)
        let statuses = try #require(metrics["lookout_environment_status"] as? [JSONObject])
        #expect(statuses.count == 4)
        let codes = ["ok": 0.0, "warn": 1, "crit": 2, "unknown": 3]
        for environment in json["environments"] as? [JSONObject] ?? [] {
            let name = environment["name"] as! String
            let sample = statuses.first { ($0["labels"] as? [String: String])?["environment"] == name }
            // Two polls a moment apart; the sandbox does not change between them unless a roll runs.
            #expect(sample?["value"] as? Double == codes[environment["status"] as! String], "\(name)")
        }
        for name in ["lookout_source_up", "lookout_source_duration_seconds", "lookout_certificate_not_after_timestamp_seconds",
                     "lookout_secret_age_seconds", "lookout_kafka_brokers"] {
            #expect((metrics[name] as? [JSONObject])?.isEmpty == false, "\(name)")
        }
    }

    @Test func theSchemaRejectsAMisspeltKeyAndAWrongType() throws {
        let text = try run(["snapshot", "--format", "json"]).stdout
        let schema = LookoutBinary.repository.appendingPathComponent("schema/snapshot.schema.json").path
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Sandbox.run(Sandbox.folder!.appendingPathComponent("venv/bin/python").path, ["-c", """
            import copy, json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))
            v = jsonschema.Draft202012Validator(schema)
            v.validate(doc)
            assert len(doc["environments"]) == 4
            misspelt = copy.deepcopy(doc); s = misspelt["environments"][0]["sources"][0]; s["duration_msec"] = s.pop("duration_ms")
            wrong = copy.deepcopy(doc); wrong["environments"][1]["secrets"][0]["version"] = "7"
            extra = copy.deepcopy(doc); extra["environments"][2]["ecs"]["services"][0]["colour"] = "red"
            for name, bad in (("misspelt", misspelt), ("wrong type", wrong), ("extra key", extra)):
                errors = list(v.iter_errors(bad))
                assert errors, name + " passed the schema"
            print("ok")
            """, schema, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ok\n")
    }
}
