import Foundation
import LookoutTestSupport

/// Runs the built `lookout` executable, as a person or a script would.
struct LookoutBinary {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The products folder holds both this test bundle and the `lookout` executable.
    static let url: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("lookout")
    }()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repository = SandboxLocation.repository

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try runTool(url.path, arguments, environment: environment)
    }

    /// Any program (openssl, curl), with the same small environment.
    static func runTool(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ["HOME": "/nonexistent-home", "PATH": "/usr/bin:/bin", "COLUMNS": "80"]
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}
