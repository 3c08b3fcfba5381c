import Foundation

/// The real `lookout` binary in a detached tmux session on a private tmux server, driven by keys
/// and read back with capture-pane: what a person on a bastion host sees.
final class TmuxSession {
    let socket = "lookout-test-\(UUID().uuidString.prefix(8))"
    let name = "console"

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    init(width: Int, height: Int, arguments: [String], environment: [String: String]) throws {
        var env = environment
        env["LANG"] = "C.UTF-8"
        env["TERM"] = "xterm-256color"
        env["HOME"] = "/nonexistent-home"
        env["PATH"] = "/usr/bin:/bin"
        let command = ["env", "-i"] + env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + [LookoutBinary.url.path] + arguments
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                  command.map(Self.quote).joined(separator: " ")])
        try tmux(["set-option", "-t", name, "window-size", "manual"])
    }

    deinit {
        _ = try? tmux(["kill-server"])
    }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let result = try Sandbox.run("/usr/bin/tmux", ["-L", socket] + arguments)
        guard result.status == 0 else { throw SandboxError("tmux \(arguments.first ?? ""): \(result.stderr)") }
        return result.stdout
    }

    /// The screen's lines, as text.
    func capture() throws -> [String] {
        try tmux(["capture-pane", "-p", "-t", name]).components(separatedBy: "\n").dropLast().map { $0 }
    }

    func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    /// Types text literally (no key names).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until the screen satisfies a condition; returns the last screen either way.
    @discardableResult
    func wait(seconds: Double = 10, until condition: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var screen = try capture()
        while !condition(screen), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            screen = try capture()
        }
        return screen
    }

    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
