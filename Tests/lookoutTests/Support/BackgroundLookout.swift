import Foundation

/// A `lookout` process left running while a test does something else (a fault, a second run);
/// its output goes to files so it can be read while it runs.
final class BackgroundLookout {
    let process = Process()
    let outPath: String
    let errPath: String

    init(_ arguments: [String], environment: [String: String]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-bg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        outPath = folder + "/stdout"
        errPath = folder + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = LookoutBinary.url
        process.arguments = arguments
        var env = ["HOME": "/nonexistent-home", "PATH": "/usr/bin:/bin", "COLUMNS": "80"]
        env.merge(environment) { $1 }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Waits until the output holds `text`; false after `seconds` or when the process ended first.
    func waitForOutput(_ text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stdout.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    func finish() -> LookoutBinary.Result {
        process.waitUntilExit()
        return LookoutBinary.Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
