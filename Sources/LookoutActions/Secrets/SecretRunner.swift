import Foundation
import LookoutAWS
import LookoutConfig

/// The I/O around ``SecretStateMachine``: SSM reads and writes, the value kept in memory only,
/// the roll through ``RollRunner``, the verification.
public struct SecretRunner: Sendable {
    public let environment: EnvironmentConfig
    public let secret: SecretConfig
    let client: AWSClient
    let roll: RollRunner?
    /// Where the secret is the password lookout logs in to Kafka with: the probe that proves a
    /// fresh login with the new value (the roll's broker gate unless one is given).
    let kafka: KafkaProbe?

    public init(environment: EnvironmentConfig, secretName: String, client: AWSClient, roll: RollRunner?, kafka: KafkaProbe? = nil) throws(ActionError) {
        guard let secret = environment.secrets.first(where: { $0.name == secretName }) else {
            throw ActionError(.usage, "environment `\(environment.name)` has no secret `\(secretName)`; known: \(environment.secrets.map(\.name).joined(separator: ", "))")
        }
        if !secret.restart.isEmpty, roll == nil {
            throw ActionError(.usage, "secret `\(secretName)` names restart services but `\(environment.name)` has no ecs section")
        }
        self.environment = environment
        self.secret = secret
        self.client = client
        self.roll = roll
        self.kafka = kafka ?? roll?.kafka
    }

    /// Whether lookout itself logs in to Kafka with this secret (`kafka.sasl.password_ssm`).
    var isOwnLogin: Bool { environment.kafka?.sasl?.passwordSSM == secret.ssm }

    public struct Prepared: Sendable {
        public var services: [RollStateMachine.Service]
        public var facts: [String]
        public var steps: [ActionPlan.Step]
        public var locks: [String]
        public var blocked: String?
    }

    public func prepare(_ mode: SecretStateMachine.Mode) async throws(ActionError) -> Prepared {
        let history = try await readHistory()
        guard let latest = history.compactMap(\.version).max() else {
            throw ActionError(.unavailable, "\(secret.ssm) has no versions; nothing was changed")
        }
        let previous = history.first { $0.labels?.contains("previous") == true }?.version
        var facts = ["SSM \(secret.ssm): version \(latest) is the latest" + (previous.map { "; version \($0) is labelled previous" } ?? "")]
        var steps: [ActionPlan.Step] = [.init(name: SecretStateMachine.Step.readCurrent.rawValue, detail: "read \(secret.ssm)'s versions and labels (no value)", writes: false)]
        switch mode {
        case .rotate:
            steps.append(.init(name: SecretStateMachine.Step.makeValue.rawValue,
                               detail: "make a new value locally: \(secret.generate.length) characters, \(secret.generate.alphabet.rawValue), from the system's cryptographic random source", writes: false))
        case .restore(let version):
            let source = version ?? previous
            steps.append(.init(name: SecretStateMachine.Step.readSource.rawValue,
                               detail: "read version \(source.map(String.init) ?? "(none labelled previous)")'s value into memory", writes: false))
        }
        steps += [
            .init(name: SecretStateMachine.Step.writeVersion.rawValue, detail: "PutParameter \(secret.ssm) with Overwrite: a new version (expected \(latest.saturatingPlusOne))", writes: true),
            .init(name: SecretStateMachine.Step.labelPrevious.rawValue, detail: "label version \(latest) `previous`", writes: true),
            .init(name: SecretStateMachine.Step.labelCurrent.rawValue, detail: "label the new version `current`", writes: true),
        ]
        var services: [RollStateMachine.Service] = []
        var blocked: String?
        if let roll, !secret.restart.isEmpty {
            let prepared = try await roll.prepare(secret.restart)
            services = prepared.services
            facts += prepared.facts
            steps += prepared.steps
            blocked = prepared.blocked
        }
        if let running = await versionInService(history, services: services),
           let index = steps.firstIndex(where: { $0.name == SecretStateMachine.Step.labelPrevious.rawValue }) {
            facts.append("the restart services still run version \(running): version \(latest) was written after their deployments started")
            steps[index].detail = "label version \(running) `previous` (the version the services run)"
        }
        var verify = services.isEmpty ? "the new version is still the latest" : "the new version is still the latest; every restart service's PRIMARY deployment was created after the write"
        if isOwnLogin, let sasl = environment.kafka?.sasl {
            facts.append("lookout itself logs in to Kafka with this secret (kafka.sasl.password_ssm, user \(sasl.username))")
            verify += "; a fresh Kafka login as \(sasl.username) with the new value answers Metadata"
        }
        steps.append(.init(name: SecretStateMachine.Step.verify.rawValue, detail: verify, writes: false))
        let locks = [LockRecord.parameterName(environment: environment.name, kind: "secret", name: secret.name)]
            + RollPlan.lockNames(environment: environment.name, services: services.map(\.name))
        return Prepared(services: services, facts: facts, steps: steps, locks: locks, blocked: blocked)
    }

    public func run(_ mode: SecretStateMachine.Mode, services: [RollStateMachine.Service], session: ActionSession) async throws(ActionError) {
        let restore = "lookout secret restore --env \(environment.name) --secret \(secret.name)"
        var loop = StepLoop(SecretStateMachine(mode: mode, parameter: secret.ssm, rolls: !services.isEmpty, restoreCommand: restore))
        // The value exists between its making (or reading) and its write, in memory only.
        var value: SecretValue?
        var parameterType = "SecureString"
        var keyID: String?
        var before: Int?
        // The write was refused by AWS (access denied): nothing changed, exit 77 rather than 69.
        var writeRefused = false
        let (client, ssm) = (client, secret.ssm)
        let (old, written) = try await loop.run(session: session, perform: { (machine: inout SecretStateMachine, action) throws(ActionError) -> SecretStateMachine.Action? in
            switch action {
            case .readCurrent:
                session.say("  ... \(SecretStateMachine.Step.readCurrent.rawValue)")
                do {
                    let history = try await Interruption.read { try await client.ssm.getFullParameterHistory(name: ssm) }
                    let latest = history.max { ($0.version ?? 0) < ($1.version ?? 0) }
                    parameterType = latest?.type ?? parameterType
                    keyID = latest?.keyId
                    before = latest?.version
                    return machine.currentRead(
                        version: latest?.version ?? 0, previous: history.first { $0.labels?.contains("previous") == true }?.version,
                        existing: Set(history.compactMap(\.version)), inService: await versionInService(history, services: services))
                } catch is Interruption.Stopped {
                    return nil
                } catch {
                    return machine.stepFailed("\(error)")
                }
            case .makeValue:
                value = SecretGenerator.generate(secret.generate)
                return machine.valueReady()
            case .readSource(let version):
                session.say("  ... \(SecretStateMachine.Step.readSource.rawValue) (version \(version))")
                do {
                    value = try await client.ssm.getParameter(name: "\(ssm):\(version)", withDecryption: true).value
                    return value == nil ? machine.stepFailed("version \(version) has no value") : machine.valueReady()
                } catch {
                    return machine.stepFailed("\(error)")
                }
            case .writeVersion:
                session.say("  ... \(SecretStateMachine.Step.writeVersion.rawValue)")
                guard let newValue = value else { return machine.stepFailed("no value to write") }
                value = nil
                try session.record(step: SecretStateMachine.Step.writeVersion.rawValue, outcome: "started")
                let answer: SSM.PutParameterOutput
                do throws(AWSError) {
                    answer = try await client.ssm.putParameter(name: ssm, value: newValue, type: parameterType, overwrite: true,
                                                               keyId: parameterType == "SecureString" ? keyID : nil)
                } catch {
                    writeRefused = error.isAccessDenied
                    return machine.writeFailed("\(error)", outcome: await writeOutcome(of: error, before: before))
                }
                return answer.version.map { machine.written(version: $0) } ?? machine.stepFailed("PutParameter answered without a version")
            case .label(let version, let label):
                let step = label == "previous" ? SecretStateMachine.Step.labelPrevious : .labelCurrent
                try session.record(step: step.rawValue, outcome: "started", versions: [label: String(version)])
                do {
                    let answer = try await client.ssm.labelParameterVersion(name: ssm, version: version, labels: [label])
                    if let invalid = answer.invalidLabels, !invalid.isEmpty {
                        return machine.stepFailed("SSM refused the label(s) \(invalid.joined(separator: ", "))")
                    }
                    return machine.labelled()
                } catch {
                    return machine.stepFailed("\(error)")
                }
            case .roll:
                session.say("  ... roll \(services.map(\.name).joined(separator: ", "))")
                do throws(ActionError) {
                    try await roll!.run(services, session: session)
                    return machine.rolled()
                } catch {
                    if let signal = error.duringTheRoll {
                        return machine.interrupted(by: signal)
                    }
                    return machine.stepFailed(error.message)
                }
            case .verify(let written):
                session.say("  ... \(SecretStateMachine.Step.verify.rawValue)")
                do {
                    return machine.verified(try await Interruption.read { try await verify(written: written, services: services) })
                } catch is Interruption.Stopped {
                    return nil
                } catch let failure as VerifyFailure {
                    return machine.stepFailed(failure.reason)
                } catch {
                    return machine.stepFailed("\(error)")
                }
            case .completed, .finished, .failed:
                return machine.stepFailed("internal error: \(action) handed to the runner")
            }
        }, kind: { $0.kind(writeRefused: writeRefused) })
        session.say("\(secret.ssm): version \(written) is current; version \(old) is labelled previous (\(restore) puts it back)")
    }

    /// The latest version written before every restart service's PRIMARY deployment was created
    /// (what `roll_pending` compares), when that is not the latest: a run that wrote a version and
    /// stopped before its roll left the services on the earlier one. Nil when every version is in
    /// service or it cannot be told (no restart services, no deployment dates).
    func versionInService(_ history: [SSM.ParameterHistory], services: [RollStateMachine.Service]) async -> Int? {
        guard !services.isEmpty, let ecs = environment.ecs,
              let described = try? await client.ecs.describeAllServices(cluster: ecs.cluster, services: services.map(\.name)) else { return nil }
        let created = services.compactMap { service in
            described.services?.first { $0.serviceName == service.name }?.deployments?.first { $0.status == "PRIMARY" }?.createdAt
        }
        guard created.count == services.count, let oldest = created.min() else { return nil }
        let latest = history.compactMap(\.version).max()
        let running = history.filter { ($0.lastModifiedDate ?? .distantFuture) <= oldest }.compactMap(\.version).max()
        return running == latest ? nil : running
    }

    /// Whether a failed PutParameter made a version: a client error AWS answered with (4xx) means
    /// it did not; without an answer (a timeout, a dropped connection) or after a server error the
    /// history is read back.
    private func writeOutcome(of error: AWSError, before: Int?) async -> SecretStateMachine.WriteOutcome {
        if case .service(_, _, let status) = error.kind, status < 500 { return .notWritten }
        guard let before, let history = try? await client.ssm.getFullParameterHistory(name: secret.ssm),
              let latest = history.compactMap(\.version).max() else { return .unknown }
        return latest > before ? .written(version: latest) : .notWritten
    }

    struct VerifyFailure: Error {
        var reason: String
    }

    /// The written version is still the latest, every restart service's PRIMARY deployment was
    /// created after it was written and, where lookout logs in with the secret, a new connection
    /// (which reads the latest version, just checked to be the written one) answers Metadata.
    private func verify(written: Int, services: [RollStateMachine.Service]) async throws -> String {
        let parameter = try await client.ssm.getParameter(name: secret.ssm)
        guard parameter.version == written else {
            throw VerifyFailure(reason: "version \(parameter.version.map(String.init) ?? "?") is the latest now, not \(written): someone wrote after this run")
        }
        var note = try await verifyServices(written: written, services: services)
        if isOwnLogin, let sasl = environment.kafka?.sasl {
            guard let kafka else {
                throw VerifyFailure(reason: "lookout logs in to Kafka with this secret, but there is no Kafka probe to verify the login")
            }
            switch await kafka.freshView() {
            case .metadata(let metadata):
                note += "; a fresh Kafka login as \(sasl.username) with version \(written) answers Metadata (\(metadata.brokers.count) brokers)"
            case .unreachable(let why), .unsupported(let why):
                throw VerifyFailure(reason: "a fresh Kafka login as \(sasl.username) with version \(written) fails: \(why)")
            }
        }
        return note
    }

    private func verifyServices(written: Int, services: [RollStateMachine.Service]) async throws -> String {
        guard !services.isEmpty, let ecs = environment.ecs else {
            return "version \(written) is the latest; no service reads it at start (no restart list)"
        }
        let writtenAt = try await client.ssm.getParameter(name: "\(secret.ssm):\(written)").lastModifiedDate
        let described = try await client.ecs.describeAllServices(cluster: ecs.cluster, services: services.map(\.name))
        var late: [String] = []
        for service in services {
            let primary = described.services?.first { $0.serviceName == service.name }?.deployments?.first { $0.status == "PRIMARY" }
            if let writtenAt, let created = primary?.createdAt, created < writtenAt { late.append(service.name) }
            if primary == nil { late.append(service.name) }
        }
        guard late.isEmpty else {
            throw VerifyFailure(reason: "\(late.joined(separator: ", ")) run a deployment older than version \(written)")
        }
        return "version \(written) is the latest; \(services.map(\.name).joined(separator: ", ")) run deployments created after it was written"
    }

    private func readHistory() async throws(ActionError) -> [SSM.ParameterHistory] {
        do {
            return try await client.ssm.getFullParameterHistory(name: secret.ssm)
        } catch {
            throw ActionError(.unavailable, "cannot read \(secret.ssm): \(error); nothing was changed")
        }
    }
}
