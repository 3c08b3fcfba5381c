import Foundation
import LookoutConfig
import LookoutModel
import LookoutSources
import LookoutPolling
import Synchronization
import Testing

/// The console's poller with each environment's poll given as a closure: scheduling, merging and
/// publishing, without servers.
@Suite struct LivePollerTests {
    static let config = try! Config.decode(yaml: """
        environments:
          - { name: fast, aws: { region: eu-west-1 }, ecs: { cluster: a } }
          - { name: slow, aws: { region: eu-west-1 }, ecs: { cluster: b } }
        """, file: "/t/lookout.yaml", home: "/h", stateHome: "/s")

    final class Recorder: Sendable {
        let state = Mutex<(snapshots: [Snapshot], polls: [String: Int], running: [String: Int], overlap: Bool)>(([], [:], [:], false))

        func begin(_ name: String) {
            state.withLock {
                $0.polls[name, default: 0] += 1
                $0.running[name, default: 0] += 1
                if $0.running[name]! > 1 { $0.overlap = true }
            }
        }

        func end(_ name: String) { state.withLock { $0.running[name, default: 0] -= 1 } }
        let gate = Mutex(false)
        func release() { gate.withLock { $0 = true } }
        var released: Bool { gate.withLock { $0 } }

        func polls(_ name: String) -> Int { state.withLock { $0.polls[name] ?? 0 } }
        var last: Snapshot? { state.withLock { $0.snapshots.last } }
        var overlap: Bool { state.withLock { $0.overlap } }
    }

    static func ecs(_ cluster: String, failing: Bool) -> EnvironmentObservations {
        if failing {
            return EnvironmentObservations(SourceOutcome<ECSObservation>.failed("ecs", error: "refused", at: Date(), durationMs: 1))
        }
        return EnvironmentObservations(SourceOutcome(name: "ecs", value: ECSObservation(cluster: cluster, services: [], tasks: []), fetchedAt: Date(), durationMs: 1))
    }

    func waitFor(_ condition: () -> Bool, seconds: Double = 60) async {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition(), Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func aHangingEnvironmentDoesNotHoldUpTheOthersAndIsNeverPolledTwiceAtOnce() async {
        let recorder = Recorder()
        let poller = LivePoller(environments: Self.config.environments, refresh: .milliseconds(50), polls: [
            { recorder.begin("fast"); defer { recorder.end("fast") }; return Self.ecs("a", failing: false) },
            {
                recorder.begin("slow")
                defer { recorder.end("slow") }
                while !recorder.released, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
                return Self.ecs("b", failing: false)
            },
        ]) { snapshot in recorder.state.withLock { $0.snapshots.append(snapshot) } }
        await poller.start()
        await waitFor { recorder.polls("fast") >= 5 }
        #expect(recorder.polls("fast") >= 5)
        #expect(recorder.polls("slow") == 1)
        // Published before the slow one finished: only the fast environment so far.
        #expect(recorder.last?.environments.map(\.name) == ["fast"])
        await poller.refreshNow()
        await poller.refreshNow()
        recorder.release()
        await waitFor { recorder.last?.environments.count == 2 }
        #expect(recorder.last?.environments.map(\.name) == ["fast", "slow"])
        #expect(!recorder.overlap)
        await poller.stop()
    }

    @Test func aFailingSourceKeepsItsLastGoodDataAndAge() async {
        let recorder = Recorder()
        let poller = LivePoller(environments: Array(Self.config.environments.prefix(1)), refresh: .milliseconds(30), polls: [
            { recorder.begin("fast"); recorder.end("fast"); return Self.ecs("a", failing: recorder.polls("fast") > 1) },
        ]) { snapshot in recorder.state.withLock { $0.snapshots.append(snapshot) } }
        await poller.start()
        await waitFor { recorder.state.withLock { $0.snapshots.count } >= 3 }
        await poller.stop()
        let snapshots = recorder.state.withLock { $0.snapshots }
        let first = snapshots[0].environments[0]
        let later = snapshots[2].environments[0]
        #expect(first.sources[0].status == .ok)
        #expect(later.sources[0].status == .unknown)
        #expect(later.ecs?.observation.cluster == "a")
        #expect(later.sources[0].fetchedAt == first.sources[0].fetchedAt)
        #expect(later.sources[0].error == "refused")
        // The failure's start is kept from the first failing poll.
        #expect(later.sources[0].errorSince == snapshots[1].environments[0].sources[0].errorSince)
    }

    @Test func refreshNowPollsAtOnceInsteadOfAfterTheInterval() async {
        let recorder = Recorder()
        let poller = LivePoller(environments: Array(Self.config.environments.prefix(1)), refresh: .seconds(60), polls: [
            { recorder.begin("fast"); recorder.end("fast"); return Self.ecs("a", failing: false) },
        ]) { _ in }
        await poller.start()
        await waitFor { recorder.polls("fast") == 1 }
        try? await Task.sleep(for: .milliseconds(200))
        #expect(recorder.polls("fast") == 1)
        await poller.refreshNow()
        await waitFor { recorder.polls("fast") == 2 }
        #expect(recorder.polls("fast") == 2)
        await poller.stop()
    }
}
