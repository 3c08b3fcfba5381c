import ArgumentParser
import Glibc
import LookoutConfig
import LookoutModel
import LookoutSources
import LookoutPolling
import LookoutUI

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Poll every environment once, print what was found, and exit.",
        discussion: "Exits 0 whatever the statuses; `lookout check` gives a verdict as an exit code."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, table, prometheus
    }

    @OptionGroup var options: EnvironmentOptions

    @Option(name: .long, help: "The output format.")
    var format: Format = .table

    func run() async throws {
        let (config, environments) = try options.load()
        let snapshot = await OneShot.snapshot(config: config, environments: environments,
                                              store: HistoryStore(folder: ConfigLocator().stateHome + "/lookout"),
                                              warn: { printError($0) }, stateTiming: StateTrace.timing, afterPolling: { Heap.trimIfDue() })
        switch format {
        case .json:
            // Written as it is made, 256 KB at a time: at scale the document is tens of megabytes.
            // A write that fails (a full disk, a closed terminal) stops it, and says so: a cron job
            // must not take a document cut short for a whole one.
            fflush(nil)
            var failure: String?
            snapshot.json.write(pretty: true) { piece in
                if failure == nil, !Output.write(piece, to: STDOUT_FILENO) { failure = String(cString: strerror(errno)) }
            }
            if failure == nil, !Output.write(Array("\n".utf8)[...], to: STDOUT_FILENO) { failure = String(cString: strerror(errno)) }
            if let failure {
                throw CommandFailure(message: "cannot write the snapshot to standard output: \(failure); what was written is cut short", code: 74)
            }
        case .table: print(snapshot.table, terminator: "")
        case .prometheus: print(snapshot.prometheus, terminator: "")
        }
    }
}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Poll every environment once and report as a Nagios plugin.",
        discussion: "Exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; a failure to run, a bad config included, is UNKNOWN."
    )

    @OptionGroup var options: EnvironmentOptions

    func run() async throws {
        let (config, environments) = try options.load()
        let snapshot = await OneShot.snapshot(config: config, environments: environments,
                                              store: HistoryStore(folder: ConfigLocator().stateHome + "/lookout"),
                                              warn: { printError($0) }, stateTiming: StateTrace.timing, afterPolling: { Heap.trimIfDue() })
        print(snapshot.nagiosOutput, terminator: "")
        throw CheckVerdict(code: snapshot.nagiosExitCode)
    }
}

/// `LOOKOUT_STATE_TRACE`: each state file's update time and size, for bench/scale.py.
enum StateTrace {
    static let timing: (@Sendable (String, Duration, Int) -> Void)? = TraceFile.fromEnvironment("LOOKOUT_STATE_TRACE").map { trace in
        { @Sendable environment, took, bytes in trace.writeState(environment: environment, took: took, bytes: bytes) }
    }
}
