import Foundation
import LookoutAWS

/// Locks as SSM parameters created with `Overwrite=false`: the first writer wins, AWS decides.
public final class SSMLocks: @unchecked Sendable {
    let ssm: SSM
    let record: LockRecord
    let breakRequested: Bool
    /// Lock names taken by this run, in order (guarded by being used from one task only).
    public private(set) var held: [String] = []

    public init(ssm: SSM, record: LockRecord, breakRequested: Bool) {
        self.ssm = ssm
        self.record = record
        self.breakRequested = breakRequested
    }

    /// Takes every lock or none. `broke` is called (to audit it) before a lock is broken.
    public func acquire(_ names: [String], broke: (String, String) throws(ActionError) -> Void) async throws(ActionError) {
        for name in names {
            do {
                try await take(name, broke: broke)
            } catch {
                _ = await release()
                throw error
            }
        }
    }

    private func take(_ name: String, broke: (String, String) throws(ActionError) -> Void) async throws(ActionError) {
        do {
            _ = try await ssm.putParameter(name: name, value: SecretValue(record.json), type: "String", overwrite: false)
            held.append(name)
            return
        } catch where error.code == "ParameterAlreadyExists" {
        } catch {
            throw ActionError(.unavailable, "could not take the lock \(name): \(error); nothing was changed")
        }
        let current: SSM.Parameter
        do {
            current = try await ssm.getParameter(name: name)
        } catch {
            throw ActionError(.unavailable, "could not read the lock \(name): \(error); nothing was changed")
        }
        let existing = current.value.flatMap { LockRecord(json: $0.reveal()) }
        let written = existing?.time ?? current.lastModifiedDate ?? Date()
        let running: Bool? = existing.flatMap { holder in
            holder.host == record.host ? (kill(holder.pid, 0) == 0 || errno != ESRCH) : nil
        }
        switch LockDecision.decide(parameter: name, existing: existing, age: Date().timeIntervalSince(written),
                                   breakRequested: breakRequested, holderRunning: running) {
        case .refuse(let message):
            throw ActionError(.refused, message)
        case .breakLock(let reason):
            try broke(name, reason)
            do {
                try await ssm.deleteParameter(name: name)
                _ = try await ssm.putParameter(name: name, value: SecretValue(record.json), type: "String", overwrite: false)
                held.append(name)
            } catch {
                throw ActionError(.refused, "could not break the lock \(name): \(error); nothing was changed")
            }
        }
    }

    /// Releases every lock taken; returns the ones that could not be released, with why.
    /// Deletes every held lock, all at once: when AWS does not answer, the action's failure is
    /// reported after one timeout rather than one per lock. Returns the locks not released, in
    /// the reverse order of taking, each with its error.
    public func release() async -> [String] {
        let names = Array(held.reversed())
        let ssm = self.ssm
        var failures: [(index: Int, text: String)] = []
        await withTaskGroup(of: (Int, String?).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask {
                    do throws(AWSError) {
                        try await ssm.deleteParameter(name: name)
                        return (index, nil)
                    } catch where error.code == "ParameterNotFound" {
                        return (index, nil)
                    } catch {
                        return (index, "\(name): \(error)")
                    }
                }
            }
            for await (index, failure) in group {
                if let failure { failures.append((index, failure)) }
            }
        }
        held = []
        return failures.sorted { $0.index < $1.index }.map(\.text)
    }
}
