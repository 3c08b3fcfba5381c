import Foundation
import Synchronization

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let supportDirectory = packageRoot.appendingPathComponent("Tests/Support").path
let python = ProcessInfo.processInfo.environment["LOOKOUT_PYTHON"] ?? "python3"

struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var output: String { String(decoding: stdout, as: UTF8.self) }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
}

/// Runs a command to completion on a thread of its own (it blocks), reading stderr on the side.
func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do {
                continuation.resume(returning: try runBlocking(arguments, environment: environment))
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}

private func runBlocking(_ arguments: [String], environment: [String: String]?) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errorData = Mutex<Data?>(nil)
    Thread { errorData.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() } }.start()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while errorData.withLock({ $0 == nil }) { usleep(1000) }
    return ProcessResult(
        status: process.terminationStatus, stdout: output,
        stderr: String(decoding: errorData.withLock { $0 } ?? Data(), as: UTF8.self))
}

/// A server started for a test. A watchdog shell ends it when it or the test process ends, so
/// nothing outlives the test run even when a test crashes.
final class BackgroundServer: Sendable {
    let port: Int
    let logPath: String
    private let process: Process

    init(port: Int, command: [String], environment: [String: String]? = nil, logPath: String? = nil) throws {
        self.port = port
        self.logPath = logPath ?? NSTemporaryDirectory() + "lookout-aws-\(port).log"
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // moto_server does not stop on SIGTERM: the watchdog follows up with SIGKILL.
        let script = """
            \(quoted) >>'\(self.logPath)' 2>&1 &
            child=$!
            cleanup() { kill $child 2>/dev/null; sleep 1; kill -9 $child 2>/dev/null; exit 0; }
            trap cleanup TERM INT
            while kill -0 \(getpid()) 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.3; done
            cleanup
            """
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until something accepts connections on the port.
    func waitUntilListening(timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if isPortOpen(port) { return }
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw TestSetupError(description: "server on port \(port) exited: \(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError(description: "nothing listens on port \(port) after \(timeout)")
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

func isPortOpen(_ port: Int) -> Bool {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/bin/bash")
    probe.arguments = ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return false }
    probe.waitUntilExit()
    return probe.terminationStatus == 0
}

/// A free port in 46000-46999, the range these tests may use; never the same twice in one run.
func freePort() -> Int {
    while true {
        let candidate = Int.random(in: 46000...46999)
        let fresh = PortRegistry.taken.withLock { $0.insert(candidate).inserted }
        if fresh && !isPortOpen(candidate) { return candidate }
    }
}

enum PortRegistry {
    static let taken = Mutex<Set<Int>>([])
}
