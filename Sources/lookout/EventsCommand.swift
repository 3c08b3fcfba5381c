import ArgumentParser
import Foundation
import LookoutActions
import LookoutConfig
import LookoutEnvironment
import LookoutModel
import LookoutPolling
import LookoutSources

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "What changed in each environment, newest first: deployments, stopped tasks, scaling activities, SSM versions written, lookout's own actions.",
        discussion: """
            Read-only. Each source is bounded by the config's source timeout; one that fails is \
            listed as unknown and the others stand. Never a secret's value. Route53 health-check \
            and consumer-group changes are those `snapshot` and `check` saw across their runs (kept \
            in the state file). Not listed: certificates issued or revoked by the Private CA (no \
            API lists them; a reissue shows as the SSM versions it wrote).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var options: EnvironmentOptions

    @Option(name: .long, help: ArgumentHelp("How far back: a duration such as 30m, 6h or 7d (at most 14d).", valueName: "duration"))
    var since: String = "1h"

    @Option(name: .long, help: "The output format.")
    var format: Format = .table

    static let longest = ConfigDuration(milliseconds: 14 * 86_400_000)

    func validate() throws {
        guard let duration = ConfigDuration(parsing: since), duration.milliseconds > 0, duration.milliseconds <= Self.longest.milliseconds else {
            throw ValidationError("--since takes a duration such as 30m, 6h or 7d (at most 14d).")
        }
    }

    func run() async throws {
        let (config, environments) = try options.load()
        let window = ConfigDuration(parsing: since) ?? ConfigDuration(milliseconds: 3_600_000)
        let now = Date()
        let cutoff = now.addingTimeInterval(-window.seconds)
        let readings = await ChangesReader.read(environments, since: cutoff)
        var events: [ChangeEvent] = readings.flatMap { $0.events }
        var unknown: [(environment: String, source: String, error: String)] = readings.flatMap { $0.failures }
        // health-check and group changes that `snapshot` and `check` saw across their polls (the
        // state file keeps them; the console keeps its own in memory)
        let store = HistoryStore(folder: ConfigLocator().stateHome + "/lookout")
        for environment in environments {
            let state = store.peek(environment: environment.name) { unknown.append((environment: environment.name, source: "observed", error: $0.terminalSafe)) }
            events += (state?.observed.events ?? []).filter { $0.time >= cutoff && $0.time <= now }
        }
        // lookout's own actions, from the audit log: one event per action
        do {
            events += try AuditLog(path: config.auditLog).changes(environments: Set(environments.map(\.name)), from: cutoff, to: now)
        } catch {
            unknown.append((environment: "", source: "lookout", error: "audit log: \(error.message)"))
        }
        events.sort { ($0.time, $0.environment, $0.source, $0.object) > ($1.time, $1.environment, $1.source, $1.object) }
        switch format {
        case .json:
            let document = JSONValue.object([
                ("generated_at", .string(ISO8601DateFormatter().string(from: now))),
                ("since", .string(ISO8601DateFormatter().string(from: cutoff))),
                ("events", .array(events.map { $0.json })),
                ("unknown", .array(unknown.map { .object([("environment", .string($0.environment)), ("source", .string($0.source)), ("error", .string($0.error))]) })),
            ])
            print(document.serialized(pretty: true))
        case .table:
            let formatter = ISO8601DateFormatter()
            var rows = [["TIME", "ENV", "SOURCE", "OBJECT", "SUMMARY", "WHO"]]
            for event in events {
                rows.append([formatter.string(from: event.time), event.environment, event.source, event.object, event.summary, event.who ?? "-"])
            }
            print(Snapshot.format(rows: rows, indent: 0), terminator: "")
            for failure in unknown {
                print("unknown: \(failure.error)".terminalSafe)
            }
            if events.isEmpty && unknown.isEmpty { print("no changes since \(formatter.string(from: cutoff))") }
        }
    }
}
