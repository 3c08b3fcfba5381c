import Foundation
import LookoutModel

extension Snapshot {
    /// The Nagios plugin output of `check`: a status line with perfdata, then one line per problem,
    /// worst first, each naming environment, source and object.
    public var nagiosOutput: String {
        let counts = Dictionary(grouping: environments, by: \.status).mapValues(\.count)
        let parts = Status.allCases.reversed().compactMap { status in
            counts[status].map { "\($0) \(status.rawValue)" }
        }
        var summary = "\(environments.count) environment\(environments.count == 1 ? "" : "s"): \(parts.joined(separator: ", "))"
        let problems = environments.flatMap { environment in environment.findings.map { (environment.name, $0) } }
            .sorted { $0.1.status > $1.1.status }
        if let worst = problems.first {
            summary += "; worst: " + Self.named(worst.1, in: worst.0)
        }
        if let (environment, group) = worstGroup {
            let seconds = group.lagSeconds.map { String(format: ", %.1f s", $0) } ?? ""
            summary += "; worst group: \(environment) \(group.observation.id) \(group.status.rawValue) (lag \(group.lag.map(String.init) ?? "unknown")\(seconds))"
        }
        var lines = ["LOOKOUT \(status.nagiosWord) - \(Self.sanitize(summary)) | \(perfdata.joined(separator: " "))"]
        for (environment, finding) in problems {
            lines.append("\(finding.status.nagiosWord): " + Self.sanitize(Self.named(finding, in: environment)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "ENV SOURCE OBJECT: MESSAGE"; a source's own failure (its object the environment, its message
    /// already "ENV SOURCE: ...") is named once: "ENV SOURCE: ...".
    static func named(_ finding: Finding, in environment: String) -> String {
        let prefix = "\(environment) \(finding.source): "
        if finding.object == environment, finding.message.hasPrefix(prefix) { return finding.message }
        return "\(environment) \(finding.source) \(finding.object): \(finding.message)"
    }

    /// Perfdata in the Monitoring Plugins grammar: `'label'=value[UOM];[warn];[crit];[min];[max]`.
    public var perfdata: [String] {
        var data: [String] = []
        let total = environments.count
        for status in Status.allCases {
            data.append("environments_\(status.rawValue)=\(environments.filter { $0.status == status }.count);;;0;\(total)")
        }
        for environment in environments {
            let sources = environment.sources
            data.append("'\(environment.name)_sources_failed'=\(sources.filter { $0.error != nil }.count);;1;0;\(sources.count)")
            for source in sources {
                data.append("'\(environment.name)_\(source.name)_duration'=\(source.durationMs)ms;;;0;")
            }
            for source in SourceRegistry.placed(by: \.perfdata) {
                data += source.perfdata(environment)
            }
        }
        return data
    }

    /// The worst group of all environments: by severity, then by lag.
    var worstGroup: (String, JudgedGroup)? {
        environments.flatMap { environment in (environment.groups ?? []).map { (environment.name, $0) } }
            .max { a, b in (a.1.severity, a.1.lag ?? -1) < (b.1.severity, b.1.lag ?? -1) }
    }

    /// The exit code `check` returns: the worst environment's.
    public var nagiosExitCode: Int32 { status.nagiosCode }

    /// Plugin output must not break its own grammar: no `|` outside perfdata, one line per item,
    /// and nothing from outside that drives a terminal (monitoring UIs show it to people).
    static func sanitize(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "/").replacingOccurrences(of: "\n", with: " ").terminalSafe
    }
}
