import Foundation
@testable import LookoutModel
import Testing
@testable import LookoutServe

/// What `lookout serve` answers, without a network: routes, the format Prometheus asks for, the
/// poll count, and a gone group's NOTFOUND series kept for the TTL and then dropped.
@Suite struct ExporterTests {
    func snapshot(at time: Date, groups: [String]?) -> Snapshot {
        var environment = EnvironmentSnapshot(name: "dev", protected: false, readOnly: false)
        if let groups {
            environment.groups = groups.map { id in
                JudgedGroup(observation: GroupObservation(id: id, state: "Stable", members: 1, partitions: []), status: .ok, verdict: .ok,
                            severity: .ok, lag: 0, lagSeconds: nil, samples: 3, reason: "caught up", topics: [])
            }
        }
        return Snapshot(generatedAt: time, environments: [environment])
    }

    @Test func answersOnlyItsRoutesAndOnlyAfterAPoll() {
        let exporter = Exporter()
        #expect(exporter.respond(method: "GET", path: "/metrics", accept: nil).status == 503)
        #expect(exporter.respond(method: "GET", path: "/healthz", accept: nil).status == 503)
        exporter.publish(snapshot(at: Date(), groups: ["billing"]))
        exporter.pollFinished(environment: "dev")
        #expect(exporter.respond(method: "GET", path: "/healthz", accept: nil).status == 200)
        #expect(exporter.respond(method: "POST", path: "/metrics", accept: nil).status == 405)
        #expect(exporter.respond(method: "GET", path: "/actions/roll", accept: nil).status == 404)
        let json = exporter.respond(method: "GET", path: "/snapshot", accept: nil)
        #expect(json.status == 200 && json.contentType == "application/json")
        #expect(String(decoding: json.body, as: UTF8.self).hasPrefix("{\"generated_at\""))
    }

    @Test(arguments: [
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true),
        ("text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5", false),
        ("*/*", false),
        ("", false),
    ])
    func givesOpenMetricsWhenAskedForItFirst(accept: String, open: Bool) {
        let exporter = Exporter()
        exporter.publish(snapshot(at: Date(), groups: ["billing"]))
        exporter.pollFinished(environment: "dev")
        let response = exporter.respond(method: "GET", path: "/metrics", accept: accept)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(response.contentType == (open ? Exporter.openMetricsType : Exporter.textType))
        #expect(text.hasSuffix("# EOF\n") == open)
        #expect(text.contains("lookout_poll_cycles_total{environment=\"dev\"} 1\n"))
        #expect(text.contains("burrow_kafka_consumer_status{cluster=\"dev\",group=\"billing\"} 1\n"))
    }

    @Test func theCountFollowsThePollsAndTheRenderingIsReusedBetweenThem() {
        let exporter = Exporter()
        exporter.publish(snapshot(at: Date(), groups: []))
        exporter.pollFinished(environment: "dev")
        let first = exporter.metrics(openMetrics: false)
        #expect(first == exporter.metrics(openMetrics: false))
        exporter.pollFinished(environment: "dev")
        let second = String(decoding: exporter.metrics(openMetrics: false) ?? [], as: UTF8.self)
        #expect(second.contains("lookout_poll_cycles_total{environment=\"dev\"} 2\n"))
    }

    @Test func aGoneGroupIsNotFoundForTheTTLThenForgotten() {
        let exporter = Exporter(groupTTL: 3600)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        exporter.publish(snapshot(at: start, groups: ["billing", "audit"]))
        exporter.publish(snapshot(at: start.addingTimeInterval(60), groups: ["billing"]))
        var text = String(decoding: exporter.metrics(openMetrics: true) ?? [], as: UTF8.self)
        #expect(text.contains("burrow_kafka_consumer_status{cluster=\"dev\",group=\"audit\"} 0\n"))
        #expect(text.components(separatedBy: "# TYPE burrow_kafka_consumer_status").count == 2, "one family of that name")
        // groups not read in a poll: nothing is gone
        exporter.publish(snapshot(at: start.addingTimeInterval(120), groups: nil))
        #expect(exporter.gone.isEmpty)
        exporter.publish(snapshot(at: start.addingTimeInterval(3000), groups: ["billing"]))
        #expect(exporter.gone.map(\.group) == ["audit"])
        exporter.publish(snapshot(at: start.addingTimeInterval(3700), groups: ["billing"]))
        text = String(decoding: exporter.metrics(openMetrics: true) ?? [], as: UTF8.self)
        #expect(!text.contains("group=\"audit\""), "forgotten after the TTL")
        #expect(exporter.gone.isEmpty)
    }

    @Test(arguments: [("127.0.0.1:9108", true), ("[::1]:9108", true), ("localhost:1", true), ("0.0.0.0:9108", false),
                      ("10.1.2.3:80", false), ("[fe80::1]:9108", false)])
    func addressesOffLoopbackAreToldApart(text: String, loopback: Bool) throws {
        let address = try #require(HTTPServer.Address(text))
        #expect(address.isLoopback == loopback)
    }

    @Test(arguments: ["9108", "host:", ":9108", "host:99999", "::1:9108", "[::1]9108", "a:b"])
    func badAddressesAreRefused(text: String) {
        #expect(HTTPServer.Address(text) == nil)
    }
}

/// gzip answers, read back by Python's gzip module (an independent reader of the format).
@Suite struct GzipAnswerTests {
    @Test func prometheusGetsGzipAndItReadsBackAsTheTextOtherwiseSent() throws {
        let exporter = Exporter()
        var environment = EnvironmentSnapshot(name: "dev", protected: false, readOnly: false)
        environment.groups = (0..<300).map { id in
            JudgedGroup(observation: GroupObservation(id: "group-\(id)", state: "Stable", members: 1, partitions: []), status: .ok, verdict: .ok,
                        severity: .ok, lag: Int64(id), lagSeconds: nil, samples: 3, reason: "caught up", topics: [])
        }
        exporter.publish(Snapshot(generatedAt: Date(), environments: [environment]))
        exporter.pollFinished(environment: "dev")
        let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        let zipped = exporter.respond(method: "GET", path: "/metrics", accept: accept, acceptEncoding: "gzip")
        let plain = exporter.respond(method: "GET", path: "/metrics", accept: accept, acceptEncoding: nil)
        #expect(zipped.contentEncoding == "gzip" && plain.contentEncoding == nil)
        #expect(exporter.respond(method: "GET", path: "/metrics", accept: accept, acceptEncoding: "gzip;q=0").contentEncoding == nil)
        #expect(zipped.body.count * 4 < plain.body.count, "\(zipped.body.count) bytes zipped of \(plain.body.count)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(zipped.body).write(to: folder.appendingPathComponent("m.gz"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import gzip,sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())", folder.appendingPathComponent("m.gz").path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let unzipped = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect([UInt8](unzipped) == plain.body, "gzip reads back as the plain text")
    }
}
