import Foundation
import LookoutAWS
import LookoutConfig
import LookoutKafka
import LookoutModel

/// One source of an environment, whole: its name, the config that turns it on, how it is read,
/// how a new reading merges with the last good one, how it is judged, and its part of every
/// output. The poller, the evaluator and the renderers loop over `SourceRegistry.all`; a new source
/// is one folder of this target and one line there.
///
/// Only `fetch` does I/O; the rest are pure functions of what was read.
public protocol Source: Sendable {
    /// What a reading gives.
    associatedtype Value: Sendable
    /// What the source needs of the environment's config; nil: the source is not configured.
    associatedtype Input: Sendable

    static var id: SourceID { get }
    /// The config key that turns it on, as the config file spells it (`ecs`, `kafka.lag`, ...).
    static var configKey: String { get }
    /// The source it is read after, in the same poll and over the same connection (the groups after
    /// the cluster's metadata); nil for a source read on its own.
    static var after: SourceID? { get }
    /// Where its part stands in each output, so that every output keeps one order.
    static var placement: OutputPlacement { get }
    /// How the console shows it: the overview's column, the environment view's row, the view Enter opens.
    static var console: ConsoleEntry { get }

    static func input(_ config: EnvironmentConfig) -> Input?
    static func fetch(_ input: Input, _ context: FetchContext) async throws -> Value
    /// The error recorded when the source it is read after failed.
    static func notRead(environment: String, because error: String) -> String
    /// The outcome after a new reading: by default a failure keeps the last good value and its age.
    static func merge(_ old: SourceOutcome<Value>, _ new: SourceOutcome<Value>) -> SourceOutcome<Value>
    /// Judges a value: stores the judged part in `judging.snapshot`, returns what is wrong.
    static func judge(_ value: Value, _ judging: inout Judging) -> [Finding]

    /// Its keys in `snapshot --format json`'s environment object (only when configured).
    static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)]
    /// Its section of `snapshot --format table`.
    static func table(_ environment: EnvironmentSnapshot) -> String
    /// Its metric families, over every environment.
    static func metrics(_ snapshot: Snapshot) -> [MetricFamily]
    /// Its perfdata items in `check`'s first line.
    static func perfdata(_ environment: EnvironmentSnapshot) -> [String]
}

/// A source's place in each output: outputs list sources' parts by these numbers, lowest first;
/// nil leaves the source out of that output (its data shows inside another source's part).
public struct OutputPlacement: Sendable {
    public var json: Int?
    public var table: Int?
    public var metrics: Int?
    public var perfdata: Int?
    /// The console's overview (one column per source).
    public var overview: Int?
    /// The console's environment view (one row per source).
    public var environmentView: Int?

    public init(json: Int?, table: Int?, metrics: Int?, perfdata: Int?, overview: Int?, environmentView: Int?) {
        self.json = json
        self.table = table
        self.metrics = metrics
        self.perfdata = perfdata
        self.overview = overview
        self.environmentView = environmentView
    }
}

/// A source in the console: its overview column's title, its row's label in the environment view,
/// and the name of the view Enter opens from that row (a view of `LookoutUI`'s `ViewRegistry`).
public struct ConsoleEntry: Sendable {
    public var column: String?
    public var label: String
    public var view: String

    public init(column: String?, label: String, view: String) {
        self.column = column
        self.label = label
        self.view = view
    }
}

/// What a source's reading may use: the environment's config and the clients built for it once.
public struct FetchContext: Sendable {
    public let config: EnvironmentConfig
    public let aws: AWSClient
    public let kafka: KafkaAdminClient?
    /// The environment's memory of its last polls (the console's); a new one: read everything.
    public let memory: PollMemory

    public init(config: EnvironmentConfig, aws: AWSClient, kafka: KafkaAdminClient?, memory: PollMemory = PollMemory()) {
        self.config = config
        self.aws = aws
        self.kafka = kafka
        self.memory = memory
    }
}

/// The evaluation under way of one environment: what the sources read, and the snapshot being built.
public struct Judging: Sendable {
    public let config: EnvironmentConfig
    public let now: Date
    public let observations: EnvironmentObservations
    public var snapshot: EnvironmentSnapshot
}

extension Source {
    public static var after: SourceID? { nil }

    public static func notRead(environment: String, because error: String) -> String {
        "\(environment) \(id): not read, as \(after.map(\.rawValue) ?? "an earlier source") could not be read (\(error))"
    }

    public static func merge(_ old: SourceOutcome<Value>, _ new: SourceOutcome<Value>) -> SourceOutcome<Value> {
        old.updated(with: new)
    }

    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] { [] }
    public static func table(_ environment: EnvironmentSnapshot) -> String { "" }
    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] { [] }
    public static func perfdata(_ environment: EnvironmentSnapshot) -> [String] { [] }

    /// This source's outcome in a set of observations.
    public static func outcome(in observations: EnvironmentObservations) -> SourceOutcome<Value>? {
        observations[id, as: Value.self]
    }

    /// Merges this source's outcome of a new poll into the last observations (a source the new poll
    /// did not read is dropped: it is no longer configured).
    static func merge(_ old: EnvironmentObservations, _ new: EnvironmentObservations, into result: inout EnvironmentObservations) {
        guard let next = outcome(in: new) else { return }
        result[id, as: Value.self] = outcome(in: old).map { merge($0, next) } ?? next
    }
}

/// A source answered, but not with what lookout needs.
struct SourceProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
