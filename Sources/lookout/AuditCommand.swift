import ArgumentParser
import Foundation
import LookoutActions
import LookoutConfig

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the audit log, one line per step of every action.",
        discussion: "The log is the config's audit_log (default $XDG_STATE_HOME/lookout/audit.jsonl)."
    )

    /// Keyed as the root command's group, which also takes `--config` and `--env` (see ``ActionTarget``).
    @OptionGroup var options: EnvironmentOptions

    @Option(name: .long, help: ArgumentHelp("Only lines younger than this, e.g. 2h or 7d.", valueName: "duration"))
    var since: String?

    func validate() throws {
        if let since, (ConfigDuration(parsing: since)?.milliseconds ?? .max) > ConfigDuration.maximum.milliseconds {
            throw ValidationError("--since takes a duration such as 30m, 2h or 7d (at most \(ConfigDuration.maximum)).")
        }
    }

    func run() throws {
        let (config, _) = try options.load()
        let env = options.env
        let log = AuditLog(path: config.auditLog)
        let (records, unreadable, skipped) = try readLog(log)
        if skipped > 0 {
            printError("lookout: \(log.path) is larger than \(AuditLog.readLimit >> 20) MiB: showing its last part (\(skipped) bytes before it left out)")
        }
        let cutoff = since.flatMap(ConfigDuration.init(parsing:)).map { Date().addingTimeInterval(-$0.seconds) }
        for record in records {
            if let env, record.environment != env { continue }
            if let cutoff, record.time < cutoff { continue }
            print(record.rendered)
        }
        if records.isEmpty, !FileManager.default.fileExists(atPath: log.path) {
            printError("lookout: no audit log at \(log.path) yet")
        }
        if unreadable > 0 {
            printError("lookout: \(unreadable) line(s) of \(log.path) are not audit records")
        }
    }

    private func readLog(_ log: AuditLog) throws -> (records: [AuditRecord], unreadable: Int, skipped: UInt64) {
        do {
            return try log.read()
        } catch {
            throw CommandFailure(message: error.message, code: error.exitCode)
        }
    }
}
