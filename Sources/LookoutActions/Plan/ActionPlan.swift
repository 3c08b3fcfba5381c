/// An action as a list of named steps, built before anything runs: a dry run prints it, a real
/// run carries it out in this order and audits every step by its name.
public struct ActionPlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        /// A short, stable name: it appears in progress lines, the audit log and error messages.
        public var name: String
        /// What the step does, in a sentence.
        public var detail: String
        /// Whether the step changes anything (AWS or Kafka); a dry run runs none of them.
        public var writes: Bool

        public init(name: String, detail: String, writes: Bool) {
            self.name = name
            self.detail = detail
            self.writes = writes
        }
    }

    public var environment: String
    /// `service roll`, `secret rotate`, ...
    public var action: String
    public var target: String
    /// The lock parameters a real run takes before its first write.
    public var locks: [String]
    public var steps: [Step]
    /// Facts read while planning (current deployment, versions), shown with the plan.
    public var facts: [String]

    public init(environment: String, action: String, target: String, locks: [String], steps: [Step], facts: [String]) {
        self.environment = environment
        self.action = action
        self.target = target
        self.locks = locks
        self.steps = steps
        self.facts = facts
    }

    /// The plan as a person reads it, one line per step.
    public var rendered: String {
        var lines = ["Plan: \(action) \(target) in \(environment)"]
        lines += facts.map { "  now: \($0)" }
        lines += locks.map { "  lock: \($0)" }
        for (index, step) in steps.enumerated() {
            lines.append("  \(index + 1). \(step.name): \(step.detail)\(step.writes ? "" : " (read only)")")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
