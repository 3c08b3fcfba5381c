import Foundation
import LookoutTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The real `lookout` binary in a detached tmux session on a private tmux server, driven by keys
/// and read back with capture-pane: what a person on a bastion host sees.
final class TmuxSession {
    let socket = "lookout-test-\(UUID().uuidString.prefix(8))"
    let name = "console"

    /// tmux from `PATH`; under `LOOKOUT_REQUIRE_SANDBOX=1` a missing tmux fails the console
    /// tests instead of skipping them.
    static let executable: String? = which("tmux")
    static var available: Bool { executable != nil || SandboxLocation.required }

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

    private var closed = false

    /// Stops the private tmux server and the lookout in it. `kill-server` alone was seen to leave
    /// both running (the console polling on, for good), so the pane's process is hung up by its
    /// pid too, once it is known to still be lookout.
    func close() {
        guard !closed else { return }
        closed = true
        let pane = (try? tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]))
            .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        _ = try? tmux(["kill-server"])
        guard let pane, pane > 0 else { return }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pane)/exe")) ?? ""
        if executable == LookoutBinary.url.resolvingSymlinksInPath().path || executable == LookoutBinary.url.path {
            kill(pane, SIGHUP)
        }
    }

    deinit {
        close()
    }

    /// Runs tmux with its output in files and every other descriptor closed: the tmux server it
    /// starts would otherwise hold the test runner's pipes open forever.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.path
        let out = "\(folder)/tmux-\(UUID().uuidString).out"
        let err = "\(folder)/tmux-\(UUID().uuidString).err"
        defer {
            unlink(out)
            unlink(err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // No descriptor beyond the three crosses into tmux (closefrom is not importable here).
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(entry), fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        guard let executable = Self.executable else { throw SandboxError("tmux is not on PATH (scripts/test installs it)") }
        let argv = ([executable, "-L", socket] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv + [nil], environ)
        guard spawned == 0 else { throw SandboxError("cannot start tmux: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw SandboxError("tmux \(arguments.first ?? ""): \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
        }
        return stdout
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
