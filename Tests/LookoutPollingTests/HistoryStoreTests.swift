import Foundation
import LookoutModel
import LookoutSources
import Testing
@testable import LookoutPolling

@Suite struct HistoryStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-history-\(UUID().uuidString)").path

    final class Warnings: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ text: String) { lock.lock(); items.append(text); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    @Test func remembersTheLastGoodAnswerAndSinceWhenASourceFails() throws {
        let store = HistoryStore(folder: folder)
        let good = Date(timeIntervalSince1970: 1_800_000_000)
        var first = EnvironmentObservations(SourceOutcome(name: "ecs", value: ECSObservation(cluster: "c", services: [], tasks: []), fetchedAt: good, durationMs: 5))
        try store.update(environment: "prod", warn: { _ in }) { $0.remember(&first) }

        var second = EnvironmentObservations(SourceOutcome<ECSObservation>.failed("ecs", error: "prod ecs: refused", at: good.addingTimeInterval(60), durationMs: 1))
        try store.update(environment: "prod", warn: { _ in }) { $0.remember(&second) }
        #expect(second.ecs?.fetchedAt == good)
        #expect(second.ecs?.errorSince == good.addingTimeInterval(60))

        var third = EnvironmentObservations(SourceOutcome<ECSObservation>.failed("ecs", error: "prod ecs: refused", at: good.addingTimeInterval(120), durationMs: 1))
        try store.update(environment: "prod", warn: { _ in }) { $0.remember(&third) }
        #expect(third.ecs?.errorSince == good.addingTimeInterval(60), "still failing since the first failure")

        let attributes = try FileManager.default.attributesOfItem(atPath: store.path(for: "prod"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test(arguments: ["{not json", "{\"format\":\"someone-else/9\",\"environment\":\"prod\",\"sources\":{}}", "{\"format\":\"lookout-state/1\",\"environment\":\"dev\",\"sources\":{}}"])
    func aCorruptOrForeignFileIsReplacedWithAWarning(content: String) throws {
        let store = HistoryStore(folder: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try content.write(toFile: store.path(for: "prod"), atomically: true, encoding: .utf8)
        let warnings = Warnings()
        var observations = EnvironmentObservations(SourceOutcome<ECSObservation>.failed("ecs", error: "x", at: Date(), durationMs: 1))
        try store.update(environment: "prod", warn: warnings.add) { $0.remember(&observations) }
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.contains(store.path(for: "prod")) == true)
        let replaced = store.read(environment: "prod", warn: warnings.add)
        #expect(replaced.format == EnvironmentState.format)
        #expect(warnings.all.count == 1, "the replacement reads back without a warning")
    }

    /// `lookout events` reads the state without writing it: a corrupt file is left as it is, and
    /// the warning says it was not read (not that it is being replaced).
    @Test func aPeekLeavesACorruptFileAndSaysItWasNotRead() throws {
        let store = HistoryStore(folder: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(store.peek(environment: "prod") { _ in } == nil)
        try "not a state file".write(toFile: store.path(for: "prod"), atomically: true, encoding: .utf8)
        var warnings: [String] = []
        let state = store.peek(environment: "prod") { warnings.append($0) }
        #expect(state == EnvironmentState(environment: "prod"))
        #expect(warnings.count == 1 && warnings[0].contains("not read (the next snapshot or check starts it anew)"), "\(warnings)")
        #expect(try String(contentsOfFile: store.path(for: "prod"), encoding: .utf8) == "not a state file")
    }

    @Test func anOversizedFileIsReplaced() throws {
        let store = HistoryStore(folder: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(count: HistoryStore.maximumBytes + 1).write(to: URL(fileURLWithPath: store.path(for: "prod")))
        let warnings = Warnings()
        try store.update(environment: "prod", warn: warnings.add) { _ in }
        #expect(warnings.all.first?.contains("over the") == true)
        let size = try FileManager.default.attributesOfItem(atPath: store.path(for: "prod"))[.size] as? Int ?? .max
        #expect(size < 1000)
    }

    /// The state file is written a piece at a time: a write that fails after its first pieces
    /// went out (here the file size limit, `RLIMIT_FSIZE`, as a full disk would) leaves the old
    /// file whole, no temporary file behind, and says what failed. (The unit group runs one test
    /// at a time: the limit is this process's only while the write runs.)
    @Test func aWriteThatFailsHalfWayLeavesTheOldFile() throws {
        let store = HistoryStore(folder: folder)
        var old = EnvironmentState(environment: "prod")
        old.sources["ecs"] = .init(lastGoodAt: Date(timeIntervalSince1970: 1_800_000_000), errorSince: nil)
        try store.update(environment: "prod", warn: { _ in }) { $0 = old }
        // a window of 100 topics of 1,000 partitions whose distances take 3 bytes each: 300 KB,
        // more than one piece (256 KB)
        var big = old
        big.lag = LagHistory(polls: [LagHistory.Poll(time: 1_800_000_060, ends: (0..<100).map { topic in
            .init(topic: "t\(topic)", offsets: (0..<1000).map { Int64($0 * 1000 + 1_000_000) })
        }, groups: [])])
        #expect(StateFileCodec.encode(big).count > 290_000)

        var limit = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
        let previousSignal = signal(SIGXFSZ, SIG_IGN)
        var small = rlimit(rlim_cur: 280_000, rlim_max: limit.rlim_max)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small)
        let failure: (any Error)?
        do {
            try store.update(environment: "prod", warn: { _ in }) { $0 = big }
            failure = nil
        } catch {
            failure = error
        }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
        signal(SIGXFSZ, previousSignal)

        let message = try #require(failure.map { "\($0)" })
        #expect(message.contains("cannot be written") && message.contains(".tmp"), "\(message)")
        #expect(store.peek(environment: "prod", warn: { _ in }) == old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
        // and with room again, the same write goes through
        try store.update(environment: "prod", warn: { _ in }) { $0 = big }
        #expect(store.peek(environment: "prod", warn: { _ in }) == big)
    }

    @Test func concurrentUpdatesNeverLoseOneAnother() async throws {
        let store = HistoryStore(folder: folder)
        let writers = 40
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<writers {
                group.addTask {
                    try? store.update(environment: "prod", warn: { _ in }) { state in
                        state.sources["source-\(index)"] = EnvironmentState.SourceMemory(lastGoodAt: Date(), errorSince: nil)
                    }
                }
            }
        }
        let state = store.read(environment: "prod", warn: { _ in })
        #expect(state.sources.count == writers)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }
}

/// The state files: replaced whole (temporary file, fsync, rename), never through a symlink, never
/// another user's.
@Suite struct StateFileOwnershipTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-state-own-\(UUID().uuidString)").path

    func poll(_ store: HistoryStore, warn: @escaping (String) -> Void = { _ in }) throws {
        var observations = EnvironmentObservations(SourceOutcome(name: "ecs", value: ECSObservation(cluster: "c", services: [], tasks: []),
                                                                 fetchedAt: Date(), durationMs: 5))
        try store.update(environment: "prod", warn: warn) { $0.remember(&observations) }
    }

    @Test func aSymlinkedStateFileIsNotFollowed() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = HistoryStore(folder: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = folder + "/precious"
        try "keep".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: store.path(for: "prod"), withDestinationPath: target)
        var warnings: [String] = []
        #expect(throws: StateFileError.self) { try poll(store) { warnings.append($0) } }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        #expect(warnings.contains { $0.contains("is a symbolic link") })
    }

    @Test func aSymlinkedLockFileAndAnOpenFolderAreRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = HistoryStore(folder: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createSymbolicLink(atPath: folder + "/prod.lock", withDestinationPath: "/etc/passwd")
        #expect { try poll(store) } throws: { ($0 as? StateFileError)?.description.contains("prod.lock is a symbolic link") == true }
        unlink(folder + "/prod.lock")
        chmod(folder, 0o777)
        #expect { try poll(store) } throws: { ($0 as? StateFileError)?.description.contains("is writable by others") == true }
        chmod(folder, 0o700)
        try poll(store)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }
}
