import LookoutActions
import LookoutConfig
import Synchronization

/// Carries one console action between the UI thread and the tasks that plan and run it: the
/// tasks post what happened, the UI loop drains it at its next turn (within a tenth of a second)
/// and feeds it to the pure ``Console``. Planning and running never happen on the UI thread, so
/// a slow AWS leaves the console drawing and polling.
final class ActionBridge: Sendable {
    enum Event: Sendable {
        case planned(Int, PreparedAction)
        case notPlanned(Int, String)
        case progress(Int, String)
        case finished(Int, failure: String?, done: String)
    }

    private let events = Mutex<[Event]>([])
    let environments: [String: EnvironmentConfig]
    let audit: AuditLog

    init(environments: [EnvironmentConfig], audit: AuditLog) {
        self.environments = Dictionary(environments.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.audit = audit
    }

    func post(_ event: Event) {
        events.withLock { $0.append(event) }
    }

    func drain() -> [Event] {
        events.withLock { pending in
            defer { pending = [] }
            return pending
        }
    }

    /// Plans an action (reads only) in a task of its own; the plan arrives as `.planned`.
    func prepare(_ action: ConsoleAction, id: Int) {
        guard let environment = environments[action.environment] else {
            post(.notPlanned(id, "no environment `\(action.environment)` in the config"))
            return
        }
        Task {
            do throws(ActionError) {
                post(.planned(id, try await PreparedAction.prepare(action.request(timeout: environment.timeouts.action.swiftDuration), environment: environment)))
            } catch {
                post(.notPlanned(id, error.message))
            }
        }
    }

    /// Runs a confirmed plan, audited as the command line runs it; progress and outcome come back as events.
    func run(_ prepared: PreparedAction, id: Int) {
        Task {
            do throws(ActionError) {
                try await prepared.run(audit: audit, breakLock: false) { [self] line in post(.progress(id, line)) }
                post(.finished(id, failure: nil, done: prepared.doneLine))
            } catch {
                post(.finished(id, failure: error.message, done: prepared.doneLine))
            }
            await prepared.close()
        }
    }

    func discard(_ prepared: PreparedAction) {
        Task { await prepared.close() }
    }
}

extension ConsoleAction {
    /// The request the command line would make for the same action; `timeout` is the command
    /// line's default, the config's `timeouts.action`.
    func request(timeout: Duration) -> ActionRequest {
        switch kind {
        case .roll: .roll(services: [target], timeout: timeout)
        case .rotate: .rotateSecret(target, timeout: timeout)
        case .restore: .restoreSecret(target, version: nil, timeout: timeout)
        case .reissue: .reissueCertificate(target, timeout: timeout)
        }
    }
}
