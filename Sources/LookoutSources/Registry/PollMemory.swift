import LookoutModel
import Synchronization

/// What a source keeps from one poll of an environment to its next, so that a steady cycle asks
/// AWS only for what may have changed. The console's poller holds one per environment for its
/// life; a one-shot command starts with an empty one, so it reads everything. Each source keeps
/// its own entry (its type declared in its folder) under its id.
public final class PollMemory: Sendable {
    private let entries = Mutex<[SourceID: any Sendable]>([:])

    public init() {}

    func value<Value: Sendable>(_ id: SourceID, as type: Value.Type) -> Value? {
        entries.withLock { $0[id] as? Value }
    }

    func set<Value: Sendable>(_ id: SourceID, _ value: Value) {
        entries.withLock { $0[id] = value }
    }
}
