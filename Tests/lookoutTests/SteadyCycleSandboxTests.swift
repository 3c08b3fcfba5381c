import Foundation
import Testing
import LookoutTestSupport

/// Issue 26's steady cycle, counted: the console polls prod (every 2 s) through
/// `aws_recorder.py`, which logs every AWS operation asked. After the first poll no DescribeTasks
/// is asked while nothing moves; a roll of a broker service (boto3, as someone else would) moves
/// a deployment, and the next polls describe its tasks again. The tracked certificate is read
/// once, then only its version (DescribeParameters) every cycle.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox, .enabled(if: TmuxSession.available, "no tmux on PATH"))
struct SteadyCycleSandboxTests {
    @Test func aSteadyCycleAsksOnlyForWhatMayHaveChanged() throws {
        let home = Sandbox.temporaryStateHome()
        let folder = home + "/recorder"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let recorder = Process()
        recorder.executableURL = Sandbox.folder!.appendingPathComponent("venv/bin/python")
        recorder.arguments = [Sandbox.support.appendingPathComponent("aws_recorder.py").path, "http://127.0.0.1:45301",
                              folder + "/log", folder + "/port"]
        try recorder.run()
        defer { kill(recorder.processIdentifier, SIGKILL); recorder.waitUntilExit() }
        var port: String?
        let deadline = Date().addingTimeInterval(10)
        while port == nil, Date() < deadline {
            port = (try? String(contentsOfFile: folder + "/port", encoding: .utf8)).flatMap { Int($0).map(String.init) }
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let relayed = try #require(port, "aws_recorder.py did not start")
        let config = try FaultMatrixRunsSandboxTests.config(for: "prod", home: home)
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "endpoint: http://127.0.0.1:45301\n", with: "endpoint: http://127.0.0.1:\(relayed)\n")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        var variables = Sandbox.lookoutEnvironment(stateHome: home)
        variables["LOOKOUT_CONFIG"] = config
        variables["LOOKOUT_POLL_TRACE"] = home + "/polls.jsonl"
        let tmux = try TmuxSession(width: 200, height: 40, arguments: [], environment: variables)
        defer { tmux.close() }

        func polls() -> Int {
            ((try? String(contentsOfFile: home + "/polls.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        func operations() -> [String] {
            ((try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        func waitForPolls(_ count: Int, seconds: Double = 40) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while polls() < count, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            return polls() >= count
        }

        #expect(waitForPolls(2), "the console polled prod twice")
        let first = operations()
        #expect(first.filter { $0 == "DescribeTasks" }.count >= 1, "the first poll describes the tasks: \(first)")
        #expect(first.contains("GetParameter"))
        let start = polls()
        #expect(waitForPolls(start + 3))
        let steady = Array(operations().dropFirst(first.count))
        let cycles = polls() - start
        print("steady: \(steady.count) AWS calls in \(cycles) polls: \(Dictionary(grouping: steady, by: { $0 }).mapValues(\.count))")
        #expect(!steady.contains("DescribeTasks"), "no DescribeTasks while nothing moves: \(steady)")
        #expect(steady.contains("DescribeParameters") && steady.contains("ListTasks") && steady.contains("DescribeServices"))

        // A roll moves prod's deployments: the tasks are described again.
        let before = operations().count
        _ = try Sandbox.python(Sandbox.support.appendingPathComponent("change_secret.py").path, [Sandbox.folder!.path, "prod", "roll"])
        let rolled = Date().addingTimeInterval(30)
        while !operations().dropFirst(before).contains("DescribeTasks"), Date() < rolled { Thread.sleep(forTimeInterval: 0.2) }
        #expect(operations().dropFirst(before).contains("DescribeTasks"), "a moved deployment's tasks are described again")
        // Once the rollouts completed, the cycles are steady again (and prod is left as it was).
        var quiet = false
        let settled = Date().addingTimeInterval(60)
        while !quiet, Date() < settled {
            let mark = operations().count
            let at = polls()
            guard waitForPolls(at + 2, seconds: 20) else { break }
            quiet = !operations().dropFirst(mark).contains("DescribeTasks")
        }
        #expect(quiet, "steady again after the roll")
        try tmux.send("q")
    }
}
