import Foundation
import LookoutAWS
import LookoutConfig

/// An action planned and ready to run: the one path the command line and the console share.
/// `prepare` reads only (the plan a dry run prints and the console's dialog shows); `run` learns
/// the AWS identity, audits, takes the locks and carries the steps out; `close` lets go of the
/// Kafka connection the plan may have opened, run or not.
public struct PreparedAction: Sendable {
    public let environment: EnvironmentConfig
    public let plan: ActionPlan
    /// Why a real run must be refused although the plan could be made (e.g. the Kafka gate cannot run).
    public let blocked: String?
    let client: AWSClient
    let body: @Sendable (ActionSession) async throws(ActionError) -> Void
    let cleanup: @Sendable () async -> Void

    init(environment: EnvironmentConfig, client: AWSClient, action: String, target: String, locks: [String],
         steps: [ActionPlan.Step], facts: [String], blocked: String?,
         body: @escaping @Sendable (ActionSession) async throws(ActionError) -> Void,
         cleanup: @escaping @Sendable () async -> Void = {}) {
        self.environment = environment
        self.client = client
        plan = ActionPlan(environment: environment.name, action: action, target: target, locks: locks, steps: steps, facts: facts)
        self.blocked = blocked
        self.body = body
        self.cleanup = cleanup
    }

    /// Reads what the plan needs (no write) and builds it. The guards (``ActionGuard``) come first,
    /// before this is called. On failure nothing is left open.
    public static func prepare(_ request: ActionRequest, environment: EnvironmentConfig,
                               client given: AWSClient? = nil) async throws(ActionError) -> PreparedAction {
        let client = given ?? ActionEnvironment.client(for: environment)
        switch request {
        case .roll(let names, let timeout):
            if let listed = environment.ecs?.services, let unknown = names.first(where: { !listed.contains($0) }) {
                throw ActionError(.usage, "`\(unknown)` is not among \(environment.name)'s ecs.services (\(listed.joined(separator: ", ")))")
            }
            let kafka = KafkaProbe(environment: environment, aws: client)
            do {
                let runner = try RollRunner(environment: environment, client: client, kafka: kafka, timeout: timeout)
                let prepared = try await runner.prepare(names)
                let order = prepared.services
                return PreparedAction(
                    environment: environment, client: client, action: request.action, target: order.map(\.name).joined(separator: ","),
                    locks: RollPlan.lockNames(environment: environment.name, services: order.map(\.name)),
                    steps: prepared.steps, facts: prepared.facts, blocked: prepared.blocked,
                    body: { (session) throws(ActionError) in try await runner.run(order, session: session) },
                    cleanup: { await kafka.shutdown() })
            } catch {
                await kafka.shutdown()
                throw error
            }
        case .rotateSecret(let name, let timeout):
            return try await prepareSecret(.rotate, name: name, timeout: timeout, request: request, environment: environment, client: client)
        case .restoreSecret(let name, let version, let timeout):
            return try await prepareSecret(.restore(version: version), name: name, timeout: timeout, request: request,
                                           environment: environment, client: client)
        case .reissueCertificate(let name, let timeout):
            let kafka = KafkaProbe(environment: environment, aws: client)
            do {
                var roll: RollRunner?
                if environment.ecs != nil {
                    roll = try RollRunner(environment: environment, client: client, kafka: kafka, timeout: timeout)
                }
                let runner = try ReissueRunner(environment: environment, certificateName: name, client: client, roll: roll, timeout: timeout)
                let prepared = try await runner.prepare()
                let services = prepared.services
                return PreparedAction(
                    environment: environment, client: client, action: request.action, target: name, locks: prepared.locks,
                    steps: prepared.steps, facts: prepared.facts, blocked: prepared.blocked,
                    body: { (session) throws(ActionError) in try await runner.run(services: services, session: session) },
                    cleanup: { await kafka.shutdown() })
            } catch {
                await kafka.shutdown()
                throw error
            }
        case .revokeCertificate(let name, let serial):
            let runner = try RevokeRunner(environment: environment, certificateName: name, client: client)
            let current: String
            do {
                current = try await runner.currentSerial()
            } catch {
                throw ActionError(.unavailable, "cannot read \(runner.certificate.certSSM): \(error); nothing was changed")
            }
            if current == serial {
                throw ActionError(.refused, "\(serial) is the certificate in service (\(runner.certificate.certSSM)); reissue first, then revoke the superseded one; nothing was changed")
            }
            return PreparedAction(
                environment: environment, client: client, action: request.action, target: "\(name) \(serial)", locks: [runner.lock],
                steps: runner.steps(serial: serial), facts: ["\(runner.certificate.certSSM): serial \(current) is in service"], blocked: nil,
                body: { (session) throws(ActionError) in try await runner.run(serial: serial, session: session) })
        }
    }

    private static func prepareSecret(_ mode: SecretStateMachine.Mode, name: String, timeout: Duration, request: ActionRequest,
                                      environment: EnvironmentConfig, client: AWSClient) async throws(ActionError) -> PreparedAction {
        let kafka = KafkaProbe(environment: environment, aws: client)
        do {
            var roll: RollRunner?
            if environment.ecs != nil {
                roll = try RollRunner(environment: environment, client: client, kafka: kafka, timeout: timeout)
            }
            let runner = try SecretRunner(environment: environment, secretName: name, client: client, roll: roll, kafka: kafka)
            let prepared = try await runner.prepare(mode)
            let services = prepared.services
            return PreparedAction(
                environment: environment, client: client, action: request.action, target: name, locks: prepared.locks,
                steps: prepared.steps, facts: prepared.facts, blocked: prepared.blocked,
                body: { (session) throws(ActionError) in try await runner.run(mode, services: services, session: session) },
                cleanup: { await kafka.shutdown() })
        } catch {
            await kafka.shutdown()
            throw error
        }
    }

    /// The real run: refused when blocked; otherwise the AWS identity (STS), then
    /// ``ActionSession/execute(locks:breakLock:pid:_:)`` with every step audited in `audit`.
    /// Progress lines go to `progress` as they happen; never a value.
    public func run(audit: AuditLog, breakLock: Bool, user: String = ActionEnvironment.osUser,
                    progress: @escaping @Sendable (String) -> Void) async throws(ActionError) {
        if let blocked { throw ActionError(.unavailable, blocked + "; nothing was changed") }
        // Confirmed: the run goes on without its terminal (SIGHUP), and stops at a step boundary
        // on SIGINT or SIGTERM.
        Interruption.beginAction()
        defer { Interruption.endAction() }
        if let signal = Interruption.pending {
            throw ActionError(.interrupted(signal), "interrupted by \(signal) before the run began; nothing was changed")
        }
        let identity = try await ActionEnvironment.identity(client)
        let session = ActionSession(environment: environment, client: client, audit: audit, user: user, identity: identity,
                                    action: plan.action, target: plan.target, progress: progress)
        try await session.execute(locks: plan.locks, breakLock: breakLock, body)
    }

    /// Lets go of what planning opened (the Kafka gate's connection). Call it once, after `run` or instead of it.
    public func close() async {
        await cleanup()
    }

    /// The line that closes a successful run, as the command line prints it.
    public var doneLine: String { "Done: \(plan.action) \(plan.target) in \(environment.name)." }
}
