import Foundation
import LookoutConfig
import LookoutEnvironment
import LookoutModel
import LookoutSources

/// Every chosen environment's changes from AWS since a time, all environments at once, each source
/// bounded by the environment's source timeout: what `lookout events` and the console's `:events`
/// read (``ChangeEvents``). Read-only.
public enum ChangesReader {
    public static func read(_ environments: [EnvironmentConfig], since: Date, sourceTimeout: Duration? = nil) async -> [ChangeReading] {
        await withTaskGroup(of: (Int, ChangeReading).self) { group in
            for (index, environment) in environments.enumerated() {
                group.addTask {
                    let timeout = sourceTimeout ?? environment.timeouts.source.swiftDuration
                    let client = EnvironmentClients.aws(environment, timeout: .seconds(max(1, timeout.components.seconds - 1)), connectTimeout: .seconds(3))
                    return (index, await ChangeEvents.read(environment, client: client, since: since, timeout: timeout))
                }
            }
            var all: [Int: ChangeReading] = [:]
            for await (index, reading) in group { all[index] = reading }
            return environments.indices.map { all[$0] ?? ChangeReading() }
        }
    }
}
