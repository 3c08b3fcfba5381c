import Foundation
import LookoutModel

extension Snapshot {
    /// The same evaluation in the Prometheus text exposition format (version 0.0.4), each
    /// environment counted as polled once (what `snapshot --format prometheus` prints).
    public var prometheus: String {
        MetricFamily.render(metrics(pollCycles: Dictionary(environments.map { ($0.name, 1) }) { first, _ in first }), openMetrics: false)
    }

    /// Every metric family of the snapshot. Statuses are numbers: 0 ok, 1 warn, 2 crit, 3 unknown
    /// (the Nagios codes). `pollCycles`: polls finished per environment (`lookout_poll_cycles_total`).
    public func metrics(pollCycles: [String: Int]) -> [MetricFamily] {
        var families: [MetricFamily] = []
        func family(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            families.append(MetricFamily(name, help, samples))
        }
        let environments = self.environments
        family("lookout_environment_status", "Worst status of the environment: 0 ok, 1 warn, 2 crit, 3 unknown.",
               environments.map { ([("environment", $0.name)], Double($0.status.nagiosCode)) })
        families.append(MetricFamily("lookout_poll_cycles_total", "Polls of the environment finished since lookout started.",
                                     pollCycles.sorted { $0.key < $1.key }.map { ([("environment", $0.key)], Double($0.value)) }, kind: .counter))
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
        return families
    }
}

/// One metric family: its name, help text, kind and samples (labels, value).
public struct MetricFamily: Sendable {
    public typealias Sample = ([(String, String)], Double)
    public enum Kind: String, Sendable { case gauge, counter }
    public let name: String
    public let help: String
    public let kind: Kind
    public let samples: [Sample]

    public init(_ name: String, _ help: String, _ samples: [Sample], kind: Kind = .gauge) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }

    /// The families in the Prometheus text format 0.0.4, or in OpenMetrics 1.0 (what Prometheus
    /// asks for first: `# EOF` at the end, a counter's family named without `_total`). A value
    /// that is negative, not a number or infinite is left out (a series is absent rather than -1),
    /// and so is a family left without samples.
    public static func render(_ families: [MetricFamily], openMetrics: Bool) -> String {
        var out = ""
        out.reserveCapacity(families.reduce(0) { $0 + $1.samples.count * 80 })
        for family in families {
            let samples = family.samples.filter { $0.1.isFinite && $0.1 >= 0 }
            guard !samples.isEmpty else { continue }
            let declared = openMetrics && family.kind == .counter && family.name.hasSuffix("_total") ? String(family.name.dropLast(6)) : family.name
            out += "# HELP \(declared) \(escapeHelp(family.help))\n# TYPE \(declared) \(family.kind.rawValue)\n"
            for (labels, value) in samples {
                out += family.name
                if !labels.isEmpty {
                    out += "{"
                    var first = true
                    for (key, value) in labels {
                        if !first { out += "," }
                        first = false
                        out += key
                        out += "=\""
                        out += escape(value)
                        out += "\""
                    }
                    out += "}"
                }
                out += " "
                out += format(value)
                out += "\n"
            }
        }
        if openMetrics { out += "# EOF\n" }
        return out
    }

    /// A label value: backslash, double quote and line feed escaped, as both formats ask; any
    /// other character is UTF-8 the formats carry as it is (a group named with an escape sequence
    /// reads back as the broker sent it).
    static func escape(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
