import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The tests' Python helpers run in one long-lived sandbox-venv python per test process
/// (`Tests/Support/script_server.py`): a helper called in a loop (a wait for the agent, a state
/// read before and after each step) then costs its boto3 calls, not a new interpreter importing
/// boto3 and confluent-kafka each time. One call at a time; a server that died is started anew
/// for the next call (the call it died in fails, never runs twice).
final class ScriptServer: @unchecked Sendable {
    static let shared = ScriptServer()

    private let lock = NSLock()
    private var process: Process?
    private var input: FileHandle?
    private var output: FileHandle?
    private var buffer = Data()

    func run(python: String, script: String, arguments: [String]) throws -> LookoutBinary.Result {
        lock.lock()
        defer { lock.unlock() }
        do {
            try start(python: python)
            var request = try JSONSerialization.data(withJSONObject: ["script": script, "args": arguments])
            request.append(0x0A)
            try input?.write(contentsOf: request)
            let answer = try JSONSerialization.jsonObject(with: try line()) as? [String: Any] ?? [:]
            return LookoutBinary.Result(status: Int32(answer["status"] as? Int ?? 1),
                                        stdout: answer["stdout"] as? String ?? "", stderr: answer["stderr"] as? String ?? "")
        } catch {
            stop()
            throw SandboxError("the script server failed running \(script): \(error)")
        }
    }

    private func start(python: String) throws {
        if let process, process.isRunning { return }
        signal(SIGPIPE, SIG_IGN)  // a server gone away is an error on write, not the end of the tests
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = [Sandbox.sharedSupport.appendingPathComponent("script_server.py").path]
        let toServer = Pipe(), fromServer = Pipe()
        server.standardInput = toServer
        server.standardOutput = fromServer
        server.standardError = FileHandle.nullDevice
        try server.run()
        process = server
        input = toServer.fileHandleForWriting
        output = fromServer.fileHandleForReading
        buffer = Data()
    }

    private func line() throws -> Data {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<end]
                buffer = Data(buffer[(end + 1)...])
                return Data(line)
            }
            // availableData: what the pipe holds now (read(upToCount:) would wait for all of it)
            guard let chunk = output?.availableData, !chunk.isEmpty else {
                throw SandboxError("the script server closed its output")
            }
            buffer.append(chunk)
        }
    }

    private func stop() {
        try? input?.close()
        if let process, process.isRunning { process.terminate(); process.waitUntilExit() }
        process = nil
        input = nil
        output = nil
    }
}
