import Foundation
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
        public var sourceTimeout: Duration

        public init(readOnly: Bool, environment: String?, theme: Theme, color: Bool, sourceTimeout: Duration = .seconds(10)) {
            self.readOnly = readOnly
            self.environment = environment
            self.theme = theme
            self.color = color
            self.sourceTimeout = sourceTimeout
        }
    }

    public static func run(config: Config, environments: [EnvironmentConfig], options: Options) async {
        let box = SnapshotBox()
        let poller = LivePoller(environments: environments, refresh: config.refresh.swiftDuration, sourceTimeout: options.sourceTimeout) { box.set($0) }
        await poller.start()
        let infos = environments.map { EnvironmentInfo(name: $0.name, protected: $0.protected, readOnly: $0.readOnly) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                uiLoop(box: box, environments: infos, options: options) { Task { await poller.refreshNow() } }
                continuation.resume()
            }
            thread.name = "lookout-ui"
            thread.start()
        }
        await poller.stop()
    }

    /// Draws when the snapshot or the state changed, and once a second for the ages; reads keys in between.
    static func uiLoop(box: SnapshotBox, environments: [EnvironmentInfo], options: Options, refresh: @escaping @Sendable () -> Void) {
        let terminal = Terminal(theme: options.theme, color: options.color)
        defer { terminal.end() }
        var console = Console(environments: environments.map(\.name), readOnly: options.readOnly, environment: options.environment)
        var drawnVersion = -1
        var drawnAt = Date.distantPast
        var dirty = true
        func context(_ snapshot: Snapshot?) -> ViewContext {
            ViewContext(snapshot: snapshot, environments: environments, scope: console.location.environment,
                        object: console.location.object, now: Date(),
                        symbols: options.theme.symbols, keyMap: console.keyMap)
        }
        while true {
            let (snapshot, version) = box.latest
            let size = terminal.size
            let page = Frame.pageSize(height: size.height)
            if dirty || version != drawnVersion || Date().timeIntervalSince(drawnAt) >= 1 {
                let now = context(snapshot)
                console.clamp(rowCount: Frame.rows(console: console, context: now).count, pageSize: page)
                terminal.draw(Frame.render(console: console, context: now, width: size.width, height: size.height))
                drawnVersion = version
                drawnAt = Date()
                dirty = false
            }
            guard let key = terminal.readKey() else { continue }
            dirty = true
            if key == .resize { continue }
            switch console.handle(key, rows: Frame.rows(console: console, context: context(snapshot)), pageSize: page) {
            case .quit: return
            case .refresh: refresh()
            case .none: break
            }
        }
    }
}
