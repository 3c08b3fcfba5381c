import Foundation
import Testing

/// Where the shared sandbox (`./sandbox/up`) is, and whether the tests that use it run.
///
/// The folder is `$LOOKOUT_SANDBOX`, else `<repo>/.sandbox`; it counts as present when its
/// `sandbox.json` exists. Without it the sandbox suites are skipped, saying where they looked;
/// with `LOOKOUT_REQUIRE_SANDBOX=1` (set by `scripts/test`) they run instead and each of their
/// tests fails naming the path, so a run in which they would all skip cannot pass.
public enum SandboxLocation {
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["LOOKOUT_SANDBOX"], !path.isEmpty { return path }
        return repository.appendingPathComponent(".sandbox").path
    }

    public static var present: Bool { FileManager.default.fileExists(atPath: path + "/sandbox.json") }

    public static var required: Bool { ProcessInfo.processInfo.environment["LOOKOUT_REQUIRE_SANDBOX"] == "1" }

    /// Whether a sandbox suite runs: the sandbox is there, or it is required (and then fails).
    public static var runs: Bool { present || required }

    public static var missing: String {
        "no sandbox at \(path) (\(path)/sandbox.json not found): ./sandbox/up starts it"
    }
}

/// A suite or test trait: fails every test beneath it, naming the path looked at, when the
/// sandbox is required but missing. Pair it with `.enabled(if: SandboxLocation.runs, …)`;
/// `.sandbox` below is both.
public struct SandboxRequirement: SuiteTrait, TestTrait, TestScoping {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> SandboxRequirement? {
        // Once per test case (not once for the suite), so each test that could not run counts.
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard SandboxLocation.present else {
            throw Missing(description: "LOOKOUT_REQUIRE_SANDBOX=1: \(SandboxLocation.missing)")
        }
        try await function()
    }
}

extension Trait where Self == SandboxRequirement {
    /// Fails the tests beneath it when the sandbox is required and missing.
    public static var requiresSandbox: SandboxRequirement { SandboxRequirement() }
}

extension Trait where Self == ConditionTrait {
    /// Runs the suite when the sandbox is there or required; otherwise skips it, naming the path.
    public static var sandboxPresentOrRequired: ConditionTrait {
        .enabled(if: SandboxLocation.runs, Comment(rawValue: SandboxLocation.missing))
    }
}

/// Finds an executable on `PATH` (tests name tools, not their install paths).
public func which(_ tool: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
    for folder in (path ?? "/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
        let candidate = "\(folder)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// The sandbox environments a test parameterized over environments runs for in this process:
/// those of `names` that `LOOKOUT_SANDBOX_ENVS` (comma-separated) lists, or all of them when it
/// is unset. `scripts/test` runs one process per environment side by side, each with its own.
public enum SandboxEnvironments {
    public static func selected(_ names: [String]) -> [String] {
        guard let list = ProcessInfo.processInfo.environment["LOOKOUT_SANDBOX_ENVS"], !list.isEmpty else { return names }
        let chosen = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        return names.filter { chosen.contains($0) }
    }
}
