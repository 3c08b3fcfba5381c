/// Rotates a secret (a new value made locally) or restores an earlier version, then rolls the
/// services that read it. Pure: values never pass through it, only version numbers; the runner
/// holds the value and does the I/O.
public struct SecretStateMachine: Sendable {
    public enum Mode: Sendable, Equatable {
        case rotate
        /// Put back `version`, or the one labelled `previous` when nil.
        case restore(version: Int?)
    }

    public enum Step: String, Sendable, Equatable, CaseIterable {
        case readCurrent = "read-current"
        case makeValue = "make-value"
        case readSource = "read-source"
        case writeVersion = "write-version"
        case labelPrevious = "label-previous"
        case labelCurrent = "label-current"
        case roll = "roll"
        case verify = "verify"
    }

    public struct Report: Sendable, Equatable {
        public var step: Step
        public var note: String
        public var versions: [String: String]

        public init(step: Step, note: String, versions: [String: String]) {
            self.step = step
            self.note = note
            self.versions = versions
        }
    }

    public struct Failure: Sendable, Equatable {
        public var step: Step
        public var reason: String
        public var parameter: String
        /// The version in service before this run: the latest, unless a later version was written
        /// after the restart services' deployments started (a run stopped before its roll).
        public var before: Int?
        /// The latest version before this run, where it differs from `before`.
        public var latest: Int?
        /// The version this run wrote, if it got that far.
        public var written: Int?
        /// The command that puts `before` back, e.g. `lookout secret restore --env dev --secret x`.
        public var restoreCommand: String = "lookout secret restore"

        public init(step: Step, reason: String, parameter: String, before: Int?, written: Int?) {
            self.step = step
            self.reason = reason
            self.parameter = parameter
            self.before = before
            self.written = written
        }

        /// Whether the write's outcome is unknown (it timed out and could not be read back).
        public var writeUncertain = false
        /// Whether the services that read the secret were left unrolled after the write (a
        /// failure while labelling): they still run with `before` until their next roll.
        public var servicesNotRolled = false

        /// Whether nothing was changed for certain: the run stopped before the write, or the write
        /// was refused.
        public var nothingChanged: Bool { written == nil && !writeUncertain }

        public var message: String {
            var text = "stopped at step \(step.rawValue) of \(parameter): \(reason)"
            switch (before, written) {
            case (let before?, let written?):
                text += "\n  SSM \(parameter): version \(written) (written by this run) is the latest, which services read when they start; version \(before) is still there"
                if servicesNotRolled {
                    text += "\n  the restart services were not rolled: their tasks still run with version \(before) until their next roll"
                }
                text += "\n  to go back: \(restoreCommand) --version \(before); a re-run starts again from the latest version"
            case (let before?, nil) where writeUncertain:
                text += "\n  SSM \(parameter): version \(before) was the latest before the write; whether the write made a new version is unknown (AWS did not answer and could not be read back)"
                text += "\n  if a newer version is there: \(restoreCommand) --version \(before) puts \(before) back; a re-run starts again from the latest version"
            case (let before?, nil):
                text += "\n  SSM \(parameter): not changed; version \(latest ?? before) is still the latest"
            case (nil, _):
                text += "\n  SSM \(parameter): not changed"
            }
            return text
        }
    }

    public indirect enum Action: Sendable, Equatable {
        /// Read the parameter's history (no values); report with ``currentRead(version:previous:)``.
        case readCurrent
        /// Make the new value locally; report with ``valueReady()``.
        case makeValue
        /// Read `version`'s value (decrypted, kept in memory); report with ``valueReady()``.
        case readSource(version: Int)
        /// PutParameter with Overwrite; report with ``written(version:)``.
        case writeVersion
        /// LabelParameterVersion by explicit version; report with ``labelled()``.
        case label(version: Int, label: String)
        /// Roll the secret's `restart` services; report with ``rolled()``.
        case roll
        /// Check the services' deployments started after the write; report with ``verified(_:)``.
        case verify(written: Int)
        case completed(Report, next: Action)
        case finished(before: Int, written: Int)
        case failed(Failure)
    }

    enum State: Sendable, Equatable {
        case idle
        case reading
        case making(before: Int)
        case writing(before: Int)
        case labellingPrevious(before: Int, written: Int)
        case labellingCurrent(before: Int, written: Int)
        case rolling(before: Int, written: Int)
        case verifying(before: Int, written: Int)
        case finished
        case failed
    }

    public let mode: Mode
    public let parameter: String
    public let rolls: Bool
    public let restoreCommand: String
    var state: State = .idle
    /// The latest version when this run read the history, where the services run an earlier one.
    var latestPending: Int?

    /// - Parameters:
    ///   - rolls: whether the secret has `restart` services.
    ///   - restoreCommand: named in a failure after the write, to put the earlier version back.
    public init(mode: Mode, parameter: String, rolls: Bool, restoreCommand: String) {
        self.mode = mode
        self.parameter = parameter
        self.rolls = rolls
        self.restoreCommand = restoreCommand
    }

    // MARK: Events

    public mutating func start() -> Action {
        switch state {
        case .idle:
            state = .reading
            return .readCurrent
        case .reading, .making, .writing, .labellingPrevious, .labellingCurrent, .rolling, .verifying, .finished, .failed:
            return unexpected("start")
        }
    }

    /// `version` is the latest; `previous` the version labelled `previous`, if any; `inService`
    /// the latest version written before the restart services' deployments started, when that is
    /// an earlier one (a run that wrote and stopped before its roll): that version, not the
    /// latest, is the one labelled `previous` and named as the way back.
    public mutating func currentRead(version: Int, previous: Int?, existing: Set<Int>, inService: Int? = nil) -> Action {
        switch state {
        case .reading:
            var before = version
            var note = "version \(version) is the latest"
            if let inService, inService < version, existing.contains(inService) {
                before = inService
                latestPending = version
                note += "; the restart services still run version \(inService) (\(version) was written after their deployments started), so \(inService) is the version to label previous"
            }
            let report = Report(step: .readCurrent, note: note, versions: ["before": String(before)])
            switch mode {
            case .rotate:
                state = .making(before: before)
                return .completed(report, next: .makeValue)
            case .restore(let asked):
                guard let source = asked ?? previous else {
                    return fail(.readCurrent, "no version of \(parameter) is labelled `previous`; give --version N", before: version, written: nil)
                }
                guard existing.contains(source) else {
                    return fail(.readCurrent, "\(parameter) has no version \(source) (it has \(existing.sorted().map(String.init).joined(separator: ", ")))", before: version, written: nil)
                }
                guard source != version else {
                    return fail(.readCurrent, "version \(source) is already the latest: there is nothing to restore", before: version, written: nil)
                }
                state = .making(before: before)
                return .completed(report, next: .readSource(version: source))
            }
        case .idle, .making, .writing, .labellingPrevious, .labellingCurrent, .rolling, .verifying, .finished, .failed:
            return unexpected("currentRead")
        }
    }

    public mutating func valueReady() -> Action {
        switch state {
        case .making(let before):
            state = .writing(before: before)
            let report: Report
            switch mode {
            case .rotate: report = Report(step: .makeValue, note: "a new value made locally", versions: [:])
            case .restore(let asked): report = Report(step: .readSource, note: "the value to put back was read", versions: asked.map { ["source": String($0)] } ?? [:])
            }
            return .completed(report, next: .writeVersion)
        case .idle, .reading, .writing, .labellingPrevious, .labellingCurrent, .rolling, .verifying, .finished, .failed:
            return unexpected("valueReady")
        }
    }

    public mutating func written(version: Int) -> Action {
        switch state {
        case .writing(let before):
            state = .labellingPrevious(before: before, written: version)
            return .completed(Report(step: .writeVersion, note: "version \(version) written", versions: ["before": String(before), "written": String(version)]),
                              next: .label(version: before, label: "previous"))
        case .idle, .reading, .making, .labellingPrevious, .labellingCurrent, .rolling, .verifying, .finished, .failed:
            return unexpected("written")
        }
    }

    public mutating func labelled() -> Action {
        switch state {
        case .labellingPrevious(let before, let written):
            state = .labellingCurrent(before: before, written: written)
            return .completed(Report(step: .labelPrevious, note: "version \(before) labelled previous", versions: ["previous": String(before)]),
                              next: .label(version: written, label: "current"))
        case .labellingCurrent(let before, let written):
            let report = Report(step: .labelCurrent, note: "version \(written) labelled current", versions: ["current": String(written)])
            if rolls {
                state = .rolling(before: before, written: written)
                return .completed(report, next: .roll)
            }
            state = .verifying(before: before, written: written)
            return .completed(report, next: .verify(written: written))
        case .idle, .reading, .making, .writing, .rolling, .verifying, .finished, .failed:
            return unexpected("labelled")
        }
    }

    public mutating func rolled() -> Action {
        switch state {
        case .rolling(let before, let written):
            state = .verifying(before: before, written: written)
            return .completed(Report(step: .roll, note: "the restart services run new tasks", versions: [:]), next: .verify(written: written))
        case .idle, .reading, .making, .writing, .labellingPrevious, .labellingCurrent, .verifying, .finished, .failed:
            return unexpected("rolled")
        }
    }

    public mutating func verified(_ note: String) -> Action {
        switch state {
        case .verifying(let before, let written):
            state = .finished
            return .completed(Report(step: .verify, note: note, versions: ["before": String(before), "current": String(written)]),
                              next: .finished(before: before, written: written))
        case .idle, .reading, .making, .writing, .labellingPrevious, .labellingCurrent, .rolling, .finished, .failed:
            return unexpected("verified")
        }
    }

    /// What is known about a write that failed.
    public enum WriteOutcome: Sendable, Equatable {
        /// AWS answered with an error, or the history read back shows no new version.
        case notWritten
        /// The history read back shows `version`, newer than the latest before the write.
        case written(version: Int)
        /// No answer, and the history could not be read back.
        case unknown
    }

    /// The write (PutParameter) failed; `outcome` says whether a version was made nonetheless.
    public mutating func writeFailed(_ reason: String, outcome: WriteOutcome) -> Action {
        guard case .writing(let before) = state else { return unexpected("writeFailed") }
        switch outcome {
        case .notWritten:
            return fail(.writeVersion, reason, before: before, written: nil)
        case .written(let version):
            return unrolled(fail(.writeVersion, reason + " (AWS's history shows version \(version) was written nonetheless)", before: before, written: version))
        case .unknown:
            let action = fail(.writeVersion, reason + " (a version may or may not have been written)", before: before, written: nil)
            guard case .failed(var failure) = action else { return action }
            failure.writeUncertain = true
            return .failed(failure)
        }
    }

    /// A SIGINT or SIGTERM came: the run stops at this step boundary, before the step's call.
    public mutating func interrupted(by signal: String) -> Action? {
        let reason = "interrupted by \(signal)"
        switch state {
        case .reading: return fail(.readCurrent, reason, before: nil, written: nil)
        case .making(let before):
            if case .rotate = mode { return fail(.makeValue, reason, before: before, written: nil) }
            return fail(.readSource, reason, before: before, written: nil)
        case .writing(let before): return fail(.writeVersion, reason + " before PutParameter", before: before, written: nil)
        case .labellingPrevious(let before, let written): return unrolled(fail(.labelPrevious, reason, before: before, written: written))
        case .labellingCurrent(let before, let written): return unrolled(fail(.labelCurrent, reason, before: before, written: written))
        case .rolling(let before, let written): return fail(.roll, reason, before: before, written: written)
        case .verifying(let before, let written): return fail(.verify, reason, before: before, written: written)
        case .idle, .finished, .failed: return unexpected("interrupted")
        }
    }

    /// The running step failed (an AWS call, the roll, a verification).
    public mutating func stepFailed(_ reason: String) -> Action {
        switch state {
        case .reading: return fail(.readCurrent, reason, before: nil, written: nil)
        case .making(let before):
            if case .rotate = mode { return fail(.makeValue, reason, before: before, written: nil) }
            return fail(.readSource, reason, before: before, written: nil)
        case .writing: return writeFailed(reason, outcome: .unknown)
        case .labellingPrevious(let before, let written): return unrolled(fail(.labelPrevious, reason, before: before, written: written))
        case .labellingCurrent(let before, let written): return unrolled(fail(.labelCurrent, reason, before: before, written: written))
        case .rolling(let before, let written): return fail(.roll, reason, before: before, written: written)
        case .verifying(let before, let written): return fail(.verify, reason, before: before, written: written)
        case .idle, .finished, .failed: return unexpected("stepFailed")
        }
    }

    // MARK: Helpers

    private mutating func fail(_ step: Step, _ reason: String, before: Int?, written: Int?) -> Action {
        state = .failed
        var failure = Failure(step: step, reason: reason, parameter: parameter, before: before, written: written)
        failure.restoreCommand = restoreCommand
        failure.latest = latestPending
        return .failed(failure)
    }

    /// A failure after the write and before the roll: the services still run the earlier version.
    private func unrolled(_ action: Action) -> Action {
        guard rolls, case .failed(var failure) = action else { return action }
        failure.servicesNotRolled = true
        return .failed(failure)
    }

    private mutating func unexpected(_ event: String) -> Action {
        let current = state
        state = .failed
        return .failed(Failure(step: .readCurrent, reason: "internal error: \(event) in state \(current)", parameter: parameter, before: nil, written: nil))
    }
}

extension SecretStateMachine: StepMachine {
    public static func kind(of action: Action) -> StepKind<Action, (before: Int, written: Int)> {
        switch action {
        case .readCurrent, .makeValue, .readSource, .writeVersion, .label, .roll, .verify:
            .step
        case .completed(let report, let next):
            .completed(StepReport(step: report.step.rawValue, note: report.note, versions: report.versions), next: next)
        case .finished(let before, let written):
            .finished((before, written))
        case .failed(let failure):
            .failed(StepFailure(step: failure.step.rawValue, reason: failure.reason,
                                versions: ["before": failure.before.map(String.init), "written": failure.written.map(String.init)].compactMapValues { $0 },
                                message: failure.message, changedNothing: failure.nothingChanged))
        }
    }
}
