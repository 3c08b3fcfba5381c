import CSignals
import Foundation
import LookoutProbes

/// SIGINT, SIGTERM and SIGHUP as the actions see them (PRODUCT.md: exit 130 / 143 at a step
/// boundary; a confirmed action ignores SIGHUP). The handlers, in `CSignals`, only record the
/// signal; the runners read it between steps and in their waits, and each action's state
/// machine says what state it left. A second SIGINT or SIGTERM exits at once, with no further
/// write, saying so.
public enum Interruption {
    public struct Signal: Sendable, Equatable, CustomStringConvertible {
        public let number: Int32

        public init(_ number: Int32) {
            self.number = number
        }

        public var description: String {
            switch number {
            case SIGINT: "SIGINT"
            case SIGTERM: "SIGTERM"
            case SIGHUP: "SIGHUP"
            default: "signal \(number)"
            }
        }

        /// 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM.
        public var exitCode: Int32 { 128 + number }
    }

    /// The first SIGINT or SIGTERM since the action began, if one came.
    public static var pending: Signal? {
        let number = lookout_pending_interrupt()
        return number == 0 ? nil : Signal(number)
    }

    /// A confirmed action begins: SIGHUP ignored (it runs on without its terminal), SIGPIPE
    /// ignored (a write to a closed terminal fails instead of killing it), SIGINT and SIGTERM
    /// recorded for the step boundary.
    public static func beginAction() {
        lookout_ignore_hangup()
        lookout_ignore_sigpipe()
        lookout_catch_interrupts(secondSignalMessage)
    }

    /// The action ended. From the command line: SIGINT and SIGTERM back to their defaults (SIGHUP
    /// stays ignored: the process ends soon, and its last lines may go to a terminal that is
    /// gone). In the console: its own handlers back (``beginConsole()``).
    public static func endAction() {
        if lookout_console_mode() != 0 {
            lookout_catch_hangup()
        } else {
            lookout_release_interrupts()
        }
    }

    /// The console starts: SIGINT, SIGTERM and SIGHUP recorded, for the console to restore the
    /// terminal and end (after the action in hand, if one runs); SIGPIPE ignored.
    public static func beginConsole() {
        lookout_set_console_mode(1)
        lookout_ignore_sigpipe()
        lookout_catch_hangup()
        lookout_catch_interrupts(secondSignalMessage)
    }

    /// `lookout serve` starts: SIGINT and SIGTERM recorded for it to stop listening and polling
    /// (a second one ends it at once); SIGHUP and SIGPIPE ignored.
    public static func beginService() {
        lookout_ignore_sigpipe()
        lookout_ignore_hangup()
        lookout_catch_interrupts("\nlookout serve: stopped at once by a second signal\n")
    }

    /// Whether a SIGHUP came (the console's terminal went away).
    public static var hangup: Bool { lookout_hangup_caught() != 0 }

    /// Ends the process as `signal` would have, once the caller has restored what it must.
    public static func reraise(_ signal: Signal) -> Never {
        lookout_reraise(signal.number)
        exit(signal.exitCode)
    }

    /// RLIMIT_CORE to 0: the process holds secrets; a core dump would write them to disk.
    @discardableResult
    public static func disableCoreDumps() -> Bool {
        lookout_disable_core_dumps() == 0
    }

    /// Forgets the signals recorded (tests).
    public static func clear() {
        lookout_clear_signals()
    }

    static let secondSignalMessage = """

        lookout: stopped at once by a second signal, with no further write: the action's locks \
        and its audit line are left as they were (`lookout audit` shows the last step; a re-run \
        from this host takes the locks over once this process has exited)

        """

    /// A wait cut short by a signal: the runner then hands the signal to its state machine.
    public struct Stopped: Error, Sendable {}

    /// Runs a read, and gives it up (throwing ``Stopped``) as soon as a SIGINT or SIGTERM is
    /// pending: the action stops at once instead of after the read's timeout. Only for reads: a
    /// write is never left behind with its outcome unknown.
    public static func read<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withGiveUp(checkEvery: .milliseconds(50), { pending != nil ? Stopped() : nil }, operation)
    }

    /// Waits `duration`; throws ``Stopped`` as soon as a SIGINT or SIGTERM is pending.
    public static func waitOrStop(_ duration: Duration) async throws(Stopped) {
        await wait(duration)
        if pending != nil { throw Stopped() }
    }

    /// Waits `duration`, or less: returns as soon as a SIGINT or SIGTERM is pending (a deployment
    /// settling, the Kafka gate, a certificate being issued are waits that end at once).
    /// - Returns: true when a signal cut the wait short.
    @discardableResult
    public static func wait(_ duration: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while pending == nil {
            let left = deadline - clock.now
            guard left > .zero else { return false }
            guard (try? await Task.sleep(for: min(left, .milliseconds(50)))) != nil else { return false }
        }
        return true
    }
}
