/// Rolls a list of ECS services one at a time: for a broker service, the Kafka gate before,
/// a forced deployment, its tasks followed to the end, the Kafka gate after. Pure: events in,
/// actions out; the runner does the I/O, keeps the clock and reports timeouts.
public struct RollStateMachine: Sendable {
    public struct Service: Sendable, Equatable {
        public var name: String
        /// The Kafka broker the service runs, from `ecs.brokers`.
        public var brokerID: Int?

        public init(name: String, brokerID: Int?) {
            self.name = name
            self.brokerID = brokerID
        }

        /// Broker services are gated on Kafka health.
        public var gated: Bool { brokerID != nil }
    }

    public enum Step: String, Sendable, Equatable, CaseIterable {
        case kafkaBefore = "kafka-before"
        case forceDeployment = "force-deployment"
        case followDeployment = "follow-deployment"
        case kafkaAfter = "kafka-after"
    }

    /// A finished step, to print and audit.
    public struct Report: Sendable, Equatable {
        public var service: String
        public var step: Step
        public var note: String
        public var versions: [String: String]

        public init(service: String, step: Step, note: String, versions: [String: String] = [:]) {
            self.service = service
            self.step = step
            self.note = note
            self.versions = versions
        }
    }

    public struct Failure: Sendable, Equatable {
        public var service: String
        public var step: Step
        public var reason: String
        /// Services rolled completely before this one.
        public var rolled: [String]
        /// Services after this one, not touched.
        public var untouched: [String]
        /// The deployment this run created for `service`, if it got that far.
        public var deploymentID: String?

        public init(service: String, step: Step, reason: String, rolled: [String], untouched: [String], deploymentID: String?) {
            self.service = service
            self.step = step
            self.reason = reason
            self.rolled = rolled
            self.untouched = untouched
            self.deploymentID = deploymentID
        }

        public var message: String {
            var text = "stopped at step \(step.rawValue) of \(service): \(reason)"
            if let deploymentID {
                text += "\n  \(service): deployment \(deploymentID) was created by this run"
            } else {
                text += "\n  \(service): not changed (no deployment was forced)"
            }
            if !rolled.isEmpty { text += "\n  rolled completely: \(rolled.joined(separator: ", "))" }
            if !untouched.isEmpty { text += "\n  untouched: \(untouched.joined(separator: ", "))" }
            return text
        }
    }

    public indirect enum Action: Sendable, Equatable {
        /// Read Kafka metadata and report it with ``kafkaObserved(_:)``.
        case checkKafka(service: String, step: Step)
        /// UpdateService forceNewDeployment; report with ``deploymentCreated(id:)``.
        case forceDeployment(service: String)
        /// Describe the service and its tasks; report with ``deploymentObserved(_:)``.
        case observeDeployment(service: String, deploymentID: String)
        /// Wait a poll interval, then call ``retryDue()`` (or ``timedOut(after:)`` once the step's time is up).
        case pause(service: String, step: Step, reason: String)
        /// Print and audit the finished step, then carry out `next`.
        case completed(Report, next: Action)
        case finished(rolled: [String])
        case failed(Failure)
    }

    enum State: Sendable, Equatable {
        case idle
        case checkingBefore(index: Int)
        case forcing(index: Int, wasPresent: Bool)
        case following(index: Int, deploymentID: String, wasPresent: Bool, lastWait: String?)
        case checkingAfter(index: Int, deploymentID: String, wasPresent: Bool, lastWait: String?)
        case finished
        case failed
    }

    public let services: [Service]
    var state: State = .idle

    public init(services: [Service]) {
        self.services = services
    }

    // MARK: Events

    public mutating func start() -> Action {
        switch state {
        case .idle:
            return begin(0)
        case .checkingBefore, .forcing, .following, .checkingAfter, .finished, .failed:
            return unexpected("start")
        }
    }

    public mutating func kafkaObserved(_ view: KafkaView) -> Action {
        switch state {
        case .checkingBefore(let index):
            let service = services[index]
            switch BrokerGate.before(view) {
            case .pass(let notes):
                state = .forcing(index: index, wasPresent: BrokerGate.isPresent(view, brokerID: service.brokerID))
                return .completed(Report(service: service.name, step: .kafkaBefore, note: notes.joined(separator: "; ")),
                                  next: .forceDeployment(service: service.name))
            case .wait(let reason), .refuse(let reason):
                return fail(index, .kafkaBefore, reason + "; refusing to roll", deploymentID: nil)
            }
        case .checkingAfter(let index, let deploymentID, let wasPresent, _):
            let service = services[index]
            switch BrokerGate.after(view, brokerID: service.brokerID, wasPresentBefore: wasPresent) {
            case .pass(let notes):
                return .completed(Report(service: service.name, step: .kafkaAfter, note: notes.joined(separator: "; "),
                                         versions: ["deployment": deploymentID]),
                                  next: begin(index + 1))
            case .wait(let reason):
                state = .checkingAfter(index: index, deploymentID: deploymentID, wasPresent: wasPresent, lastWait: reason)
                return .pause(service: service.name, step: .kafkaAfter, reason: reason)
            case .refuse(let reason):
                return fail(index, .kafkaAfter, reason, deploymentID: deploymentID)
            }
        case .idle, .forcing, .following, .finished, .failed:
            return unexpected("kafkaObserved")
        }
    }

    public mutating func deploymentCreated(id: String, previousID: String?) -> Action {
        switch state {
        case .forcing(let index, let wasPresent):
            let service = services[index]
            state = .following(index: index, deploymentID: id, wasPresent: wasPresent, lastWait: nil)
            var versions = ["deployment": id]
            if let previousID { versions["previous_deployment"] = previousID }
            return .completed(Report(service: service.name, step: .forceDeployment, note: "deployment \(id) created", versions: versions),
                              next: .observeDeployment(service: service.name, deploymentID: id))
        case .idle, .checkingBefore, .following, .checkingAfter, .finished, .failed:
            return unexpected("deploymentCreated")
        }
    }

    public mutating func deploymentObserved(_ observation: RolloutObservation) -> Action {
        switch state {
        case .following(let index, let deploymentID, let wasPresent, _):
            let service = services[index]
            switch DeploymentProgress.evaluate(observation) {
            case .complete(let note):
                let report = Report(service: service.name, step: .followDeployment, note: note, versions: ["deployment": deploymentID])
                if service.gated {
                    state = .checkingAfter(index: index, deploymentID: deploymentID, wasPresent: wasPresent, lastWait: nil)
                    return .completed(report, next: .checkKafka(service: service.name, step: .kafkaAfter))
                }
                return .completed(report, next: begin(index + 1))
            case .waiting(let reason):
                state = .following(index: index, deploymentID: deploymentID, wasPresent: wasPresent, lastWait: reason)
                return .pause(service: service.name, step: .followDeployment, reason: reason)
            case .failed(let reason):
                return fail(index, .followDeployment, reason, deploymentID: deploymentID)
            }
        case .idle, .checkingBefore, .forcing, .checkingAfter, .finished, .failed:
            return unexpected("deploymentObserved")
        }
    }

    /// The pause is over: look again.
    public mutating func retryDue() -> Action {
        switch state {
        case .following(let index, let deploymentID, _, _):
            return .observeDeployment(service: services[index].name, deploymentID: deploymentID)
        case .checkingAfter(let index, _, _, _):
            return .checkKafka(service: services[index].name, step: .kafkaAfter)
        case .idle, .checkingBefore, .forcing, .finished, .failed:
            return unexpected("retryDue")
        }
    }

    /// The running step's time is up; `after` says how long it was given.
    public mutating func timedOut(after: String) -> Action {
        switch state {
        case .following(let index, let deploymentID, _, let lastWait):
            return fail(index, .followDeployment, "timed out after \(after): \(lastWait ?? "no answer yet")", deploymentID: deploymentID)
        case .checkingAfter(let index, let deploymentID, _, let lastWait):
            return fail(index, .kafkaAfter, "timed out after \(after): \(lastWait ?? "no answer yet")", deploymentID: deploymentID)
        case .idle, .checkingBefore, .forcing, .finished, .failed:
            return unexpected("timedOut")
        }
    }

    /// A SIGINT or SIGTERM came: the roll stops at this step boundary, before the step's next call.
    /// A deployment already forced is left to ECS, which finishes it by itself.
    public mutating func interrupted(by signal: String) -> Action? {
        let reason = "interrupted by \(signal)"
        switch state {
        case .checkingBefore(let index):
            return fail(index, .kafkaBefore, reason, deploymentID: nil)
        case .forcing(let index, _):
            return fail(index, .forceDeployment, reason + " before UpdateService", deploymentID: nil)
        case .following(let index, let deploymentID, _, _):
            return fail(index, .followDeployment, reason + " (ECS goes on with the deployment by itself)", deploymentID: deploymentID)
        case .checkingAfter(let index, let deploymentID, _, _):
            return fail(index, .kafkaAfter, reason, deploymentID: deploymentID)
        case .idle, .finished, .failed:
            return unexpected("interrupted")
        }
    }

    /// An AWS or Kafka call of the running step failed.
    public mutating func callFailed(_ reason: String) -> Action {
        switch state {
        case .checkingBefore(let index):
            return fail(index, .kafkaBefore, reason, deploymentID: nil)
        case .forcing(let index, _):
            return fail(index, .forceDeployment, reason + " (the deployment may or may not have been created)", deploymentID: nil)
        case .following(let index, let deploymentID, _, _):
            return fail(index, .followDeployment, reason, deploymentID: deploymentID)
        case .checkingAfter(let index, let deploymentID, _, _):
            return fail(index, .kafkaAfter, reason, deploymentID: deploymentID)
        case .idle, .finished, .failed:
            return unexpected("callFailed")
        }
    }

    /// The loop handed a step that is no step (a report or an end) to the runner.
    public mutating func unexpectedStep(_ action: Action) -> Action {
        unexpected("the step \(action)")
    }

    // MARK: Helpers

    private mutating func begin(_ index: Int) -> Action {
        guard index < services.count else {
            state = .finished
            return .finished(rolled: services.map(\.name))
        }
        let service = services[index]
        if service.gated {
            state = .checkingBefore(index: index)
            return .checkKafka(service: service.name, step: .kafkaBefore)
        }
        state = .forcing(index: index, wasPresent: false)
        return .forceDeployment(service: service.name)
    }

    private mutating func fail(_ index: Int, _ step: Step, _ reason: String, deploymentID: String?) -> Action {
        state = .failed
        return .failed(Failure(service: services[index].name, step: step, reason: reason,
                               rolled: services[..<index].map(\.name), untouched: services[(index + 1)...].map(\.name),
                               deploymentID: deploymentID))
    }

    private mutating func unexpected(_ event: String) -> Action {
        let current = state
        state = .failed
        return .failed(Failure(service: services.first?.name ?? "-", step: .forceDeployment,
                               reason: "internal error: \(event) in state \(current)", rolled: [], untouched: [], deploymentID: nil))
    }
}

extension RollStateMachine: StepMachine {
    public static func kind(of action: Action) -> StepKind<Action, [String]> {
        switch action {
        case .checkKafka, .forceDeployment, .observeDeployment, .pause:
            .step
        case .completed(let report, let next):
            .completed(StepReport(step: "\(report.step.rawValue) \(report.service)", note: report.note, versions: report.versions), next: next)
        case .finished(let rolled):
            .finished(rolled)
        case .failed(let failure):
            .failed(StepFailure(step: "\(failure.step.rawValue) \(failure.service)", reason: failure.reason,
                                versions: failure.deploymentID.map { ["deployment": $0] } ?? [:], message: failure.message))
        }
    }
}
