import Foundation
import LookoutModel

extension Snapshot {
    /// The same evaluation in the Prometheus text exposition format (version 0.0.4).
    /// Statuses are numbers: 0 ok, 1 warn, 2 crit, 3 unknown (the Nagios codes).
    public var prometheus: String {
        var families: [MetricFamily] = []
        func family(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            families.append(MetricFamily(name, help, samples))
        }
        let environments = self.environments
        family("lookout_environment_status", "Worst status of the environment: 0 ok, 1 warn, 2 crit, 3 unknown.",
               environments.map { ([("environment", $0.name)], Double($0.status.nagiosCode)) })
        family("lookout_source_status", "Status of one source of one environment: 0 ok, 1 warn, 2 crit, 3 unknown.",
               environments.flatMap { e in e.sources.map { ([("environment", e.name), ("source", $0.name)], Double($0.status.nagiosCode)) } })
        family("lookout_source_up", "1 when the source's latest poll succeeded, 0 when it failed.",
               environments.flatMap { e in e.sources.map { ([("environment", e.name), ("source", $0.name)], $0.error == nil ? 1 : 0) } })
        family("lookout_source_duration_seconds", "How long the source's latest poll took.",
               environments.flatMap { e in e.sources.map { ([("environment", e.name), ("source", $0.name)], Double($0.durationMs) / 1000) } })
        family("lookout_source_age_seconds", "Age of the source's last good data (absent when it never answered).",
               environments.flatMap { e in e.sources.compactMap { s in s.ageSeconds.map { ([("environment", e.name), ("source", s.name)], Double($0)) } } })
        for source in SourceRegistry.placed(by: \.metrics) {
            families += source.metrics(self)
        }
        return families.filter { !$0.samples.isEmpty }.map(\.text).joined()
    }
}

/// One metric family: its name, help text and samples (labels, value), all gauges.
public struct MetricFamily: Sendable {
    public typealias Sample = ([(String, String)], Double)
    let name: String
    let help: String
    let samples: [Sample]

    public init(_ name: String, _ help: String, _ samples: [Sample]) {
        self.name = name
        self.help = help
        self.samples = samples
    }

    var text: String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        for (labels, value) in samples {
            let rendered = labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            out += "\(name){\(rendered)} \(Self.format(value))\n"
        }
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
