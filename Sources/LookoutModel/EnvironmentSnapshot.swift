import Foundation
import LookoutConfig

/// One environment, judged: what `snapshot`, `check` and the console show.
public struct EnvironmentSnapshot: Sendable {
    public var name: String
    public var protected: Bool
    public var readOnly: Bool
    public var status: Status
    public var sources: [SourceState]
    /// Every problem found, worst first.
    public var findings: [Finding]
    /// What lookout saw change across its polls of this environment, and when each finding began
    /// (nil: no memory kept, as in a `snapshot` without a state file).
    public var observed: ObservedChanges?
    /// What each source judged, by source (and, for a source that keeps more than one, by part):
    /// read through the typed properties each source declares in its folder (`snapshot.ecs`).
    var parts: [String: any Sendable] = [:]

    public init(name: String, protected: Bool, readOnly: Bool, status: Status = .ok, sources: [SourceState] = [], findings: [Finding] = []) {
        self.name = name
        self.protected = protected
        self.readOnly = readOnly
        self.status = status
        self.sources = sources
        self.findings = findings
    }

    /// A source's judged part.
    public subscript<Part: Sendable>(part key: String, as _: Part.Type) -> Part? {
        get { parts[key] as? Part }
        set { parts[key] = newValue }
    }

    /// Whether the source was configured (it has a row in `sources`).
    public func has(_ id: SourceID) -> Bool {
        sources.contains { $0.name == id.rawValue }
    }

    /// The worst problem in words, for a one-line summary.
    public var headline: String? {
        findings.first.map { "\($0.source) \($0.object): \($0.message)" }
    }
}

/// The whole poll: every environment at one moment.
public struct Snapshot: Sendable {
    public var generatedAt: Date
    public var environments: [EnvironmentSnapshot]

    public init(generatedAt: Date, environments: [EnvironmentSnapshot]) {
        self.generatedAt = generatedAt
        self.environments = environments
    }

    public var status: Status { Status.worst(environments.map(\.status)) }
}
