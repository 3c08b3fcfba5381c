import Foundation
import LookoutModel

/// What AWS and the audit log said changed, as the console last read them for `:events`
/// (``ChangesFeed``), by environment: only the environments `:events` showed are read. lookout's
/// own observations of health checks, instances and groups come with each environment's snapshot.
public struct ChangeLog: Sendable {
    public struct Reading: Sendable {
        /// When the last reading ended; nil: none yet.
        public var readAt: Date?
        /// How far back it reads.
        public var since: Date?
        /// Whether a reading is under way.
        public var reading = false
        public var events: [ChangeEvent] = []
        /// Sources that could not be read: (source, error).
        public var failures: [(source: String, error: String)] = []

        public init(readAt: Date? = nil, since: Date? = nil, reading: Bool = false, events: [ChangeEvent] = [],
                    failures: [(source: String, error: String)] = []) {
            self.readAt = readAt
            self.since = since
            self.reading = reading
            self.events = events
            self.failures = failures
        }
    }

    public var environments: [String: Reading]

    public init(_ environments: [String: Reading] = [:]) {
        self.environments = environments
    }
}

/// The timeline: every change of the environments in scope within the window, newest first; a
/// source that could not be read is a row of its own, marked unknown. Enter opens the object's view.
enum EventsRender {
    /// The hour shown: the last one, or, narrowed to a finding (`before <source> <object>`), the
    /// hour before that finding began. `finding` is nil when the view is not narrowed to one, or
    /// the finding is no longer present (then the last hour is shown).
    static func window(_ context: ViewContext) -> (from: Date, to: Date, finding: String?, began: Date?) {
        if let object = context.object, object.hasPrefix("before ") {
            let key = String(object.dropFirst("before ".count))
            for (_, snapshot) in context.scoped {
                if let began = snapshot?.observed?.findingsSince[key] {
                    return (began.addingTimeInterval(-3600), began, key, began)
                }
            }
            return (context.now.addingTimeInterval(-3600), context.now, key, nil)
        }
        return (context.now.addingTimeInterval(-3600), context.now, nil, nil)
    }

    static func rows(_ context: ViewContext) -> [Row] {
        let (from, to, finding, began) = window(context)
        let scoped = context.scoped
        let infos = Dictionary(scoped.map { ($0.info.name, $0.info) }) { first, _ in first }
        let readings = scoped.map { (name: $0.info.name, reading: context.changes.environments[$0.info.name]) }
        var events: [ChangeEvent] = []
        for (_, reading) in readings {
            events += (reading?.events ?? []).filter { $0.time >= from && $0.time <= to }
        }
        for (_, snapshot) in scoped {
            events += (snapshot?.observed?.events ?? []).filter { $0.time >= from && $0.time <= to }
        }
        events.sort { ($0.time, $0.environment, $0.source, $0.object) > ($1.time, $1.environment, $1.source, $1.object) }
        var rows: [Row] = []
        func env(_ name: String) -> TableCell {
            infos[name].map(Cells.environment) ?? TableCell(name)
        }
        if let finding {
            let note = began.map { "the hour before `\(finding)` began (\(timestamp($0)))" } ?? "`\(finding)` is no longer a finding: the last hour"
            rows.append(Row([TableCell("", .dim), TableCell("", .dim), TableCell(context.scope ?? "", .dim), TableCell("", .dim),
                             TableCell("", .dim), TableCell("", .dim), TableCell(note, .dim)], environment: context.scope))
        }
        let unread = readings.filter { $0.reading?.readAt == nil }.map(\.name)
        if !unread.isEmpty {
            rows.append(Row([Cells.loading(context.symbols), TableCell(""), TableCell(unread.joined(separator: ", ")), TableCell("aws"), TableCell(""), TableCell(""),
                             TableCell("reading deployments, stopped tasks, scaling activities, SSM versions and the audit log…", .dim)]))
        }
        for (name, reading) in readings {
            for failure in reading?.failures ?? [] {
                rows.append(Row([TableCell("\(context.symbols.symbol(.unknown)) unknown", .status(.unknown)), TableCell(""), env(name),
                                 TableCell(failure.source), TableCell(""), TableCell(""), TableCell(failure.error, .status(.unknown))], environment: name))
            }
        }
        for event in events {
            rows.append(Row([TableCell(shortAge(Int(context.now.timeIntervalSince(event.time)))), TableCell(timestamp(event.time), .dim), env(event.environment),
                             TableCell(event.source), TableCell(event.object), TableCell(event.who ?? "-", .dim), TableCell(event.summary)],
                            environment: event.environment, drill: drill(event)))
        }
        if events.isEmpty && unread.isEmpty {
            rows.append(Row([TableCell("", .dim), TableCell("", .dim), TableCell("", .dim), TableCell("", .dim), TableCell("", .dim), TableCell("", .dim),
                             TableCell("no changes between \(timestamp(from)) and \(timestamp(to))", .dim)]))
        }
        return rows
    }

    /// The view of the event's object: a service's, a task's, an instance's, a secret's or
    /// certificate's, an endpoint's, a group's partitions; an action's target by the action.
    static func drill(_ event: ChangeEvent) -> Location? {
        let object = event.object
        func view(_ resource: ResourceView, _ narrowed: String? = nil) -> Location {
            Location(view: resource.name, environment: event.environment, object: narrowed)
        }
        switch event.source {
        case "ecs": return object.hasPrefix("task ") ? view(TasksView.view) : view(ServicesView.view)
        case "autoscaling": return view(InstancesView.view)
        case "ssm": return object.hasPrefix("certificate ") ? view(CertificatesView.view) : view(SecretsView.view)
        case "route53": return view(EndpointsView.view)
        case "groups": return object.hasPrefix("group ") ? view(PartitionsView.view, String(object.dropFirst("group ".count))) : view(GroupsView.view)
        case "lookout":
            // the audit log's action: `service roll`, `secret rotate`, `secret restore`, `cert reissue`
            switch event.summary.split(separator: " ").first.map(String.init) ?? "" {
            case "service": return view(ServicesView.view)
            case "secret": return view(SecretsView.view)
            case "cert": return view(CertificatesView.view)
            default: return nil
            }
        default: return nil
        }
    }
}
