import Foundation
import LookoutModel

extension Snapshot {
    /// The same evaluation in the Prometheus text exposition format (version 0.0.4), each
    /// environment counted as polled once (what `snapshot --format prometheus` prints).
    public var prometheus: String {
        String(decoding: MetricFamily.render(metrics(pollCycles: Dictionary(environments.map { ($0.name, 1) }) { first, _ in first }), openMetrics: false), as: UTF8.self)
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

/// One metric family: its name, help text, kind and samples (labels, value). The samples are
/// produced while the family is rendered, one at a time: at production scale a family holds some
/// 200,000 partitions' series, and none of them is kept as a whole.
public struct MetricFamily: Sendable {
    public typealias Sample = ([(String, String)], Double)
    public enum Kind: String, Sendable { case gauge, counter }
    public let name: String
    public let help: String
    public let kind: Kind
    let produce: @Sendable (_ emit: (Sample) -> Void) -> Void

    public init(_ name: String, _ help: String, _ samples: [Sample], kind: Kind = .gauge) {
        self.init(name, help, kind: kind) { emit in samples.forEach(emit) }
    }

    /// A family whose samples `producing` emits one by one when it is rendered.
    public init(_ name: String, _ help: String, kind: Kind = .gauge, producing: @escaping @Sendable (_ emit: (Sample) -> Void) -> Void) {
        self.name = name
        self.help = help
        self.kind = kind
        self.produce = producing
    }

    /// This family's samples, then `other`'s, under this family's name and help.
    public func joined(with other: MetricFamily) -> MetricFamily {
        let first = produce, second = other.produce
        return MetricFamily(name, help, kind: kind) { emit in
            first(emit)
            second(emit)
        }
    }

    /// The families in the Prometheus text format 0.0.4, or in OpenMetrics 1.0 (what Prometheus
    /// asks for first: `# EOF` at the end, a counter's family named without `_total`), as UTF-8.
    /// A value that is negative, not a number or infinite is left out (a series is absent rather
    /// than -1), and so is a family left without samples.
    public static func render(_ families: [MetricFamily], openMetrics: Bool, capacity: Int = 1 << 16) -> [UInt8] {
        var whole: [UInt8] = []
        whole.reserveCapacity(capacity)
        render(families, openMetrics: openMetrics) { whole.append(contentsOf: $0) }
        return whole
    }

    /// The same, handed to `sink` in pieces of about a megabyte (a compressor keeps none of the
    /// text whole).
    public static func render(_ families: [MetricFamily], openMetrics: Bool, sink: ([UInt8]) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20 + 4096)
        for family in families {
            let declared = openMetrics && family.kind == .counter && family.name.hasSuffix("_total") ? String(family.name.dropLast(6)) : family.name
            var headed = false
            family.produce { labels, value in
                guard value.isFinite, value >= 0 else { return }
                if !headed {
                    headed = true
                    out.append(contentsOf: "# HELP \(declared) \(escapeHelp(family.help))\n# TYPE \(declared) \(family.kind.rawValue)\n".utf8)
                }
                out.append(contentsOf: family.name.utf8)
                if !labels.isEmpty {
                    out.append(UInt8(ascii: "{"))
                    for (index, (key, label)) in labels.enumerated() {
                        if index > 0 { out.append(UInt8(ascii: ",")) }
                        out.append(contentsOf: key.utf8)
                        out.append(contentsOf: "=\"".utf8)
                        appendEscaped(label, to: &out)
                        out.append(UInt8(ascii: "\""))
                    }
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: format(value).utf8)
                out.append(UInt8(ascii: "\n"))
                if out.count >= 1 << 20 {
                    sink(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        if openMetrics { out.append(contentsOf: "# EOF\n".utf8) }
        sink(out)
    }

    /// A label value: backslash, double quote and line feed escaped, as both formats ask; any
    /// other character is UTF-8 the formats carry as it is (a group named with an escape sequence
    /// reads back as the broker sent it).
    static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            default: out.append(byte)
            }
        }
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
