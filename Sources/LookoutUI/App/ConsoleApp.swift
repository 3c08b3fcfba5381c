import Foundation
import LookoutActions
import LookoutConfig
import LookoutModel
import LookoutPolling
import Synchronization

/// The latest snapshot, handed from the poller to the UI thread.
final class SnapshotBox: Sendable {
    private let state = Mutex<(snapshot: Snapshot?, version: Int)>((nil, 0))

    func set(_ snapshot: Snapshot) {
        state.withLock { $0 = (snapshot, $0.version + 1) }
    }

    var latest: (snapshot: Snapshot?, version: Int) { state.withLock { $0 } }
}

/// The console: polling in the background, the UI on a thread of its own that draws the latest
/// snapshot and answers keys within a tenth of a second, whatever the sources do.
public enum ConsoleApp {
    public struct Options: Sendable {
        public var readOnly: Bool
        public var environment: String?
        public var theme: Theme
        public var color: Bool
        /// nil: the config's `timeouts.source`.
        public var sourceTimeout: Duration?

        public init(readOnly: Bool, environment: String?, theme: Theme, color: Bool, sourceTimeout: Duration? = nil) {
            self.readOnly = readOnly
            self.environment = environment
            self.theme = theme
            self.color = color
            self.sourceTimeout = sourceTimeout
        }
    }

    /// Runs until `q`, or until a signal ends it: SIGINT, SIGTERM or SIGHUP (its terminal gone)
    /// end the console once no action is running (an action in hand runs on to its end, or stops
    /// at its next step boundary on SIGINT or SIGTERM); the terminal is restored, then the signal
    /// is raised again, so the process ends as that signal ends it (130, 143, 129).
    public static func run(config: Config, environments: [EnvironmentConfig], options: Options) async {
        Interruption.beginConsole()
        let ended = Mutex<Interruption.Signal?>(nil)
        let box = SnapshotBox()
        var timing: (@Sendable (LivePoller.Timing) -> Void)?
        if let trace = TraceFile.fromEnvironment("LOOKOUT_POLL_TRACE") {
            timing = { @Sendable in trace.write($0) }
        }
        let poller = LivePoller(environments: environments, refresh: config.refresh.swiftDuration, sourceTimeout: options.sourceTimeout,
                                timing: timing, publish: { box.set($0); Heap.trimIfDue() })
        await poller.start()
        let infos = environments.map { EnvironmentInfo(name: $0.name, protected: $0.protected, readOnly: $0.readOnly) }
        let bridge = ActionBridge(environments: environments, audit: AuditLog(path: config.auditLog))
        let changes = ChangesFeed(environments: environments, audit: AuditLog(path: config.auditLog), sourceTimeout: options.sourceTimeout)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                let signal = uiLoop(box: box, environments: infos, options: options, actions: bridge, changes: changes) { Task { await poller.refreshNow() } }
                ended.withLock { $0 = signal }
                continuation.resume()
            }
            thread.name = "lookout-ui"
            thread.start()
        }
        await poller.stop()
        if let signal = ended.withLock({ $0 }) { Interruption.reraise(signal) }
    }

    /// Draws when the snapshot or the state changed, and once a second for the ages; reads keys in between.
    /// Returns the signal that ended it, to raise again once the terminal is restored; nil for `q`.
    static func uiLoop(box: SnapshotBox, environments: [EnvironmentInfo], options: Options, actions: ActionBridge, changes: ChangesFeed,
                       refresh: @escaping @Sendable () -> Void) -> Interruption.Signal? {
        let terminal = Terminal(theme: options.theme, color: options.color)
        defer { terminal.end() }
        var console = Console(environments: environments.map(\.name), readOnly: options.readOnly, environment: options.environment,
                              protected: Set(environments.filter(\.protected).map(\.name)),
                              readOnlyEnvironments: Set(environments.filter(\.readOnly).map(\.name)))
        // The action in hand: its number (events of older ones are stale) and its plan once built.
        var actionID = 0
        var prepared: PreparedAction?
        var drawnVersion = -1
        var drawnAt = Date.distantPast
        var dirty = true
        var rows = RowCache()
        let frames = TraceFile.fromEnvironment("LOOKOUT_FRAME_TRACE")
        var keyRead: (at: ContinuousClock.Instant, key: String)?
        func context(_ snapshot: Snapshot?) -> ViewContext {
            ViewContext(snapshot: snapshot, environments: environments, scope: console.location.environment,
                        object: console.location.object, now: Date(),
                        symbols: options.theme.symbols, keyMap: console.keyMap, changes: changes.latest.log)
        }
        while true {
            for event in actions.drain() {
                dirty = true
                switch event {
                case .planned(let id, let plan):
                    guard id == actionID, console.dialog?.phase == .preparing else {
                        actions.discard(plan)
                        continue
                    }
                    console.actionPlanned(plan.plan.rendered, blocked: plan.blocked)
                    if plan.blocked == nil { prepared = plan } else { actions.discard(plan) }
                case .notPlanned(let id, let message):
                    if id == actionID { console.actionNotPlanned(message) }
                case .progress(let id, let line):
                    if id == actionID { console.actionProgress(line) }
                case .finished(let id, let failure, let done):
                    guard id == actionID else { continue }
                    console.actionFinished(failure: failure, done: done)
                    refresh()
                }
            }
            // A signal ends the console once no action runs (an action's runner sees it too, and
            // stops at its next step boundary; SIGHUP it ignores, running on to its end).
            if console.dialog?.isBusy != true {
                if let signal = Interruption.pending { return signal }
                if Interruption.hangup { return Interruption.Signal(SIGHUP) }
            }
            let (snapshot, snapshotVersion) = box.latest
            // `:events` reads the changes while it is open (a minute apart unless `r` asks)
            if console.location.view == EventsView.view.name {
                changes.want(console.location.environment.map { [$0] }, since: EventsRender.window(context(snapshot)).from)
            }
            // both count up: their sum moves when either does, and the rows are built again
            let version = snapshotVersion + changes.latest.version
            let size = terminal.size
            let page = Frame.pageSize(height: size.height)
            if dirty || version != drawnVersion || Date().timeIntervalSince(drawnAt) >= 1 {
                let now = context(snapshot)
                console.clamp(rowCount: rows.rows(console: console, context: now, version: version).count, pageSize: page)
                if let dialog = console.dialog {
                    let box = Frame.dialogBox(dialog, width: size.width, height: size.height)
                    console.clampDialog(lineCount: Frame.dialogLines(dialog, box: box).count, page: box.bodyHeight)
                }
                terminal.draw(Frame.render(console: console, context: now, rows: rows.rows(console: console, context: now, version: version),
                                           width: size.width, height: size.height))
                drawnVersion = version
                drawnAt = Date()
                dirty = false
                if let frames, let (at, key) = keyRead {
                    // from reading the key to its frame written: what the person at the keyboard waits
                    let (seconds, attoseconds) = (ContinuousClock.now - at).components
                    frames.write(["key": key, "view": console.location.view, "rows": rows.rows(console: console, context: now, version: version).count,
                                  "us": Int(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)])
                    keyRead = nil
                }
            }
            guard let key = terminal.readKey() else {
                // A run in hand finishes (and is audited) even when the terminal is gone.
                if console.dialog?.isBusy != true, terminal.hungUp { return Interruption.Signal(SIGHUP) }
                continue
            }
            dirty = true
            if frames != nil { keyRead = (ContinuousClock.now, String(describing: key)) }
            if key == .resize { continue }
            switch console.handle(key, rows: rows.rows(console: console, context: context(snapshot), version: version), pageSize: page) {
            case .quit: return nil
            case .refresh:
                refresh()
                if console.location.view == EventsView.view.name {
                    changes.want(console.location.environment.map { [$0] }, since: EventsRender.window(context(snapshot)).from, force: true)
                }
            case .none: break
            case .prepare(let action):
                actionID += 1
                actions.prepare(action, id: actionID)
            case .runAction:
                if let plan = prepared { actions.run(plan, id: actionID) }
                prepared = nil
            case .discardAction:
                if let plan = prepared { actions.discard(plan) }
                prepared = nil
                actionID += 1
            }
        }
    }
}
