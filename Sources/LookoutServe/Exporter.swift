import Foundation
import LookoutModel
import LookoutSources
import Synchronization

/// What `lookout serve` answers: the latest snapshot the one poll loop published, rendered once per
/// snapshot however many scrapes come (OpenMetrics, the Prometheus text format, the snapshot's
/// JSON), and the polls counted per environment. Never runs an action: it holds no action's code.
///
/// A consumer group that was seen and is gone (its environment's groups read without it) keeps
/// one series, `burrow_kafka_consumer_status` 0 (Burrow's NOTFOUND), for `groupTTL`; then it is
/// forgotten, so the series and the memory of groups that come and go stay bounded.
public final class Exporter: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
        /// `gzip` when the body is compressed.
        public var contentEncoding: String? = nil
    }

    public static let openMetricsType = "application/openmetrics-text; version=1.0.0; charset=utf-8"
    public static let textType = "text/plain; version=0.0.4; charset=utf-8"

    struct State {
        var snapshot: Snapshot?
        var generation = 0
        var cycles: [String: Int] = [:]
        /// environment → group → when it was last seen
        var seen: [String: [String: Date]] = [:]
        /// The last rendering, gzip-compressed: one format at a time (Prometheus asks for the same
        /// one, with gzip, at every scrape). A client that takes no gzip gets a rendering of its own.
        var rendered: (generation: Int, openMetrics: Bool, gzip: [UInt8])?
    }

    private let state = Mutex(State())
    public let groupTTL: TimeInterval

    public init(groupTTL: TimeInterval = 3600) {
        self.groupTTL = groupTTL
    }

    /// A poll of `environment` finished.
    public func pollFinished(environment: String) {
        state.withLock { state in
            state.cycles[environment, default: 0] += 1
            state.rendered = nil
        }
    }

    /// The poller's latest snapshot.
    public func publish(_ snapshot: Snapshot) {
        state.withLock { state in
            state.snapshot = snapshot
            state.generation += 1
            state.rendered = nil
            for environment in snapshot.environments {
                guard let groups = environment.groups else { continue }  // not read now: nothing is gone
                var seen = state.seen[environment.name] ?? [:]
                for group in groups { seen[group.observation.id] = snapshot.generatedAt }
                seen = seen.filter { snapshot.generatedAt.timeIntervalSince($0.value) <= groupTTL }
                state.seen[environment.name] = seen
            }
        }
    }

    /// Series that are kept now: groups gone from their environment within the TTL.
    var gone: [(environment: String, group: String)] {
        state.withLock { state in
            guard let snapshot = state.snapshot else { return [] }
            var out: [(String, String)] = []
            for environment in snapshot.environments {
                guard let groups = environment.groups else { continue }
                let present = Set(groups.map(\.observation.id))
                for (group, _) in (state.seen[environment.name] ?? [:]).sorted(by: { $0.key < $1.key }) where !present.contains(group) {
                    out.append((environment.name, group))
                }
            }
            return out
        }
    }

    /// Renders the latest metrics in OpenMetrics now, off the scrape's path (after each poll), so
    /// that a scrape is answered from what is rendered.
    public func prewarm() {
        _ = metrics(openMetrics: true, gzip: true)
    }

    /// The metrics of the latest snapshot in one of the two formats, gzip-compressed (rendered
    /// once per snapshot and kept) or not (rendered for this request). Nil before the first poll,
    /// and for gzip when zlib fails.
    public func metrics(openMetrics: Bool, gzip: Bool = false) -> [UInt8]? {
        let (snapshot, generation, cycles, cached) = state.withLock { ($0.snapshot, $0.generation, $0.cycles, $0.rendered) }
        guard let snapshot else { return nil }
        if gzip, let cached, cached.generation == generation, cached.openMetrics == openMetrics { return cached.gzip }
        var families = snapshot.metrics(pollCycles: cycles)
        let gone = self.gone
        if !gone.isEmpty {
            families.append(MetricFamily("burrow_kafka_consumer_status", "A consumer group seen before and gone now: Burrow's NOTFOUND (0), kept for the exporter's group TTL.",
                                         gone.map { ([("cluster", $0.environment), ("group", $0.group)], 0) }))
        }
        let merged = Self.merged(families)
        guard gzip else { return MetricFamily.render(merged, openMetrics: openMetrics) }
        guard let writer = try? GzipWriter() else { return nil }
        var failed = false
        MetricFamily.render(merged, openMetrics: openMetrics) { piece in
            if !failed { do { try writer.write(piece) } catch { failed = true } }
        }
        guard !failed, (try? writer.finish()) != nil else { return nil }
        let bytes = writer.output
        state.withLock { state in
            if state.generation == generation { state.rendered = (generation, openMetrics, bytes) }
        }
        return bytes
    }

    /// Families of one name joined (one `# TYPE` a name, as both formats ask).
    static func merged(_ families: [MetricFamily]) -> [MetricFamily] {
        var order: [String] = []
        var byName: [String: MetricFamily] = [:]
        for family in families {
            if let known = byName[family.name] {
                byName[family.name] = known.joined(with: family)
            } else {
                order.append(family.name)
                byName[family.name] = family
            }
        }
        return order.map { byName[$0]! }
    }

    /// The answer to one request: GET (or HEAD) /metrics, /snapshot, /healthz.
    public func respond(method: String, path: String, accept: String?, acceptEncoding: String? = nil) -> Response {
        guard method == "GET" || method == "HEAD" else {
            return Response(status: 405, contentType: "text/plain; charset=utf-8", body: Array("only GET and HEAD\n".utf8))
        }
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch route {
        case "/metrics":
            let openMetrics = Self.prefersOpenMetrics(accept)
            let gzip = Self.acceptsGzip(acceptEncoding)
            let type = openMetrics ? Self.openMetricsType : Self.textType
            if gzip, let body = metrics(openMetrics: openMetrics, gzip: true) {
                return Response(status: 200, contentType: type, body: body, contentEncoding: "gzip")
            }
            // no gzip asked for, or zlib failed: the plain text (nil only before the first poll)
            guard let body = metrics(openMetrics: openMetrics, gzip: false) else { return Self.starting }
            return Response(status: 200, contentType: type, body: body)
        case "/snapshot":
            guard let snapshot = state.withLock({ $0.snapshot }) else { return Self.starting }
            return Response(status: 200, contentType: "application/json", body: Array((snapshot.json.serialized(pretty: false) + "\n").utf8))
        case "/healthz":
            let polls = state.withLock { $0.cycles.values.reduce(0, +) }
            return polls > 0 ? Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok: \(polls) polls\n".utf8)) : Self.starting
        case "/":
            return Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array("lookout serve: /metrics /snapshot /healthz\n".utf8))
        default:
            return Response(status: 404, contentType: "text/plain; charset=utf-8", body: Array("not found\n".utf8))
        }
    }

    /// Whether Accept-Encoding takes gzip (not with q=0).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == "gzip" || parts.first == "x-gzip" else { return false }
            return !(parts.dropFirst().contains { $0.hasPrefix("q=") && (Double($0.dropFirst(2)) ?? 1) == 0 })
        }
    }

    static let starting = Response(status: 503, contentType: "text/plain; charset=utf-8", body: Array("no poll has finished yet\n".utf8))

    /// Whether an Accept header asks for OpenMetrics before the text format (Prometheus sends
    /// `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1`).
    static func prefersOpenMetrics(_ accept: String?) -> Bool {
        guard let accept else { return false }
        var best: (quality: Double, open: Bool)?
        for item in accept.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let open = type == "application/openmetrics-text"
            guard open || type == "text/plain" else { continue }
            if best == nil || quality > best!.quality { best = (quality, open) }
        }
        return best?.open ?? false
    }
}
