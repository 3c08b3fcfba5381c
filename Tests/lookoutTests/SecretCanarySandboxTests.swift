import Foundation
import Testing
import LookoutTestSupport

/// Issue 25's secret canaries: the sandbox writes a unique canary value for every secret of every
/// environment (`./sandbox/canaries`: passwords named after their environment and secret, a new
/// broker key each); then every command, every console view and actions that succeed, fail and are
/// interrupted run under a fresh HOME, TMPDIR and XDG folders; and every value every SecureString
/// ever had (the canaries, and what the actions wrote) is searched for, as it is and base64-,
/// hex- and URL-encoded (and a key's DER so), in their stdout and stderr, every file under those
/// folders, the sandbox's own logs and the screen captures: no hit. A hit names the secret and
/// the place, never the value.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox, .enabled(if: TmuxSession.available, "no tmux on PATH"))
struct SecretCanarySandboxTests {
    /// A fresh home and every XDG folder under one temporary root.
    struct FreshFolders {
        let root: String
        var environment: [String: String]

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-canary-\(UUID().uuidString)").path
            environment = Sandbox.lookoutEnvironment(stateHome: root + "/state")
            for (variable, folder) in [("HOME", "home"), ("TMPDIR", "tmp"), ("XDG_STATE_HOME", "state"), ("XDG_CONFIG_HOME", "config"),
                                       ("XDG_CACHE_HOME", "cache"), ("XDG_DATA_HOME", "data"), ("XDG_RUNTIME_DIR", "runtime")] {
                try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
                environment[variable] = root + "/" + folder
            }
        }
    }

    /// Where the search looked: a name and its bytes.
    struct Place {
        let name: String
        let bytes: [UInt8]
    }

    @Test func noCanaryAppearsAnywhere() throws {
        let seeded = try Sandbox.run(Sandbox.checkout.appendingPathComponent("sandbox/canaries").path, [])
        #expect(seeded.status == 0, "canaries: \(seeded.stdout) \(seeded.stderr)")
        #expect(seeded.stdout.split(separator: "\n").count == 4, "one line per environment: \(seeded.stdout)")
        let folders = try FreshFolders()
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        var places: [Place] = []
        func record(_ name: String, _ result: LookoutBinary.Result) {
            places.append(Place(name: name + " (stdout)", bytes: Array(result.stdout.utf8)))
            places.append(Place(name: name + " (stderr)", bytes: Array(result.stderr.utf8)))
        }
        func lookout(_ arguments: [String]) throws -> LookoutBinary.Result {
            let result = try LookoutBinary.run(arguments, environment: folders.environment)
            record("lookout " + arguments.joined(separator: " "), result)
            return result
        }

        // Every command that reads.
        for arguments in [["--help"], ["--version"], ["snapshot", "--format", "json"], ["snapshot", "--format", "table"],
                          ["snapshot", "--format", "prometheus"], ["check"], ["config", "validate"],
                          ["service", "roll", "--env", "dev", "--service", "kafka-broker-1", "--dry-run"],
                          ["secret", "rotate", "--env", "prod", "--secret", "admin-password", "--dry-run"],
                          ["cert", "reissue", "--env", "acc", "--cert", "broker", "--dry-run"]] {
            let result = try lookout(arguments)
            #expect([0, 1, 2, 3].contains(result.status), "\(arguments): exit \(result.status): \(result.stderr)")
        }

        // Actions that complete: a rotation and its restore, a reissue (a new private key in SSM).
        for arguments in [["secret", "rotate", "--env", "dev", "--secret", "client-password", "--yes"],
                          ["secret", "restore", "--env", "dev", "--secret", "client-password", "--yes"],
                          ["cert", "reissue", "--env", "dev", "--cert", "broker", "--yes"]] {
            let result = try lookout(arguments)
            #expect(result.status == 0, "\(arguments): exit \(result.status): \(result.stderr)")
        }
        // One that fails: SSM refuses the write.
        try Sandbox.scenario("aws-denied", "dev", "ssm")
        let refused = try lookout(["secret", "rotate", "--env", "dev", "--secret", "admin-password", "--yes"])
        try Sandbox.scenario("reset", "dev")
        #expect(refused.status != 0, "a rotation SSM refuses fails: \(refused.stdout)")
        // One that is interrupted inside its roll, then finished by a re-run.
        let interrupted = try BackgroundLookout(["secret", "rotate", "--env", "dev", "--secret", "admin-password", "--yes"], environment: folders.environment)
        let rolling = interrupted.waitForOutput("waiting: ", seconds: 60)
        kill(interrupted.process.processIdentifier, SIGINT)
        let stopped = interrupted.finish()
        record("lookout secret rotate, interrupted", stopped)
        #expect(rolling && stopped.status == 130, "exit \(stopped.status): \(stopped.stderr)")
        let finished = try lookout(["service", "roll", "--env", "dev", "--service", "kafka-broker-1", "--service", "kafka-broker-2",
                                    "--service", "kafka-broker-3", "--yes"])
        #expect(finished.status == 0, "the re-run's roll: \(finished.stderr)")
        _ = try lookout(["audit"])

        // Every console view, and a rotation's plan shown and declined.
        let tmux = try TmuxSession(width: 200, height: 50, arguments: [], environment: folders.environment)
        defer { tmux.close() }
        _ = try tmux.wait(seconds: 30) { $0.contains { $0.contains(" prod ") } && !$0.contains { $0.contains("load") } }
        for view in ["overview", "env", "services", "tasks", "instances", "brokers", "topics", "replicas", "groups", "partitions",
                     "certs", "endpoints", "secrets", "errors", "help"] {
            try ConsoleSandboxTests.command(tmux, view)
            let screen = try tmux.wait(seconds: 3) { _ in false }
            places.append(Place(name: "console :\(view)", bytes: Array(screen.joined(separator: "\n").utf8)))
        }
        try ConsoleSandboxTests.command(tmux, "secrets")
        try tmux.send("R")
        let plan = try tmux.wait(seconds: 5) { $0.contains { $0.contains("rotate") || $0.contains("Rotate") } }
        places.append(Place(name: "console: a rotation's plan", bytes: Array(plan.joined(separator: "\n").utf8)))
        try tmux.send("n")
        try tmux.send("Escape")
        try tmux.send("q")

        // Every file under the fresh folders, and the sandbox's logs.
        for (prefix, folder) in [("", folders.root), ("sandbox log ", Sandbox.folder!.appendingPathComponent("logs").path)] {
            for file in FileManager.default.enumerator(atPath: folder)?.compactMap({ $0 as? String }) ?? [] {
                let path = folder + "/" + file
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let data = FileManager.default.contents(atPath: path) else { continue }
                places.append(Place(name: prefix + file, bytes: Array(data)))
            }
        }
        #expect(places.contains { $0.name.hasSuffix("audit.jsonl") }, "the actions' audit log is among the places")

        // Every value of every SecureString, every version, read now (the actions' values too).
        let text = try Sandbox.python(Sandbox.support.appendingPathComponent("secure_values.py").path, [Sandbox.folder!.path, "--every-version"])
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [[String: Any]]] else {
            throw SandboxError("secure_values.py printed no JSON object (not shown: it holds secret values)")
        }
        var index = CanaryIndex()
        var canaries = 0
        for (environment, parameters) in json.sorted(by: { $0.key < $1.key }) {
            for parameter in parameters {
                let name = parameter["name"] as? String ?? "?"
                for (number, value) in (parameter["values"] as? [String] ?? []).enumerated() {
                    canaries += value.hasPrefix("canary") ? 1 : 0
                    index.add("\(environment) \(name) (value \(number + 1))", forms: CanaryForms.of(value))
                }
            }
        }
        #expect(canaries >= 8, "the canaries are in SSM: \(canaries)")
        // The search itself finds what it looks for: a canary hex-encoded inside other text.
        let control = (json.values.flatMap { $0 }.flatMap { $0["values"] as? [String] ?? [] }.first { $0.hasPrefix("canary") }) ?? ""
        let planted = Array("control: ".utf8) + Array(control.utf8.map { String(format: "%02x", $0) }.joined().utf8) + Array(" end".utf8)
        // (versions of one secret share their first 20 characters, "canary<env><secret>", so the
        // planted value may also name a sibling version: at least one hit, never none)
        #expect(!control.isEmpty && !index.hits(in: planted).isEmpty, "the search finds a planted canary")
        var hits = 0
        for place in places {
            for secret in index.hits(in: place.bytes) {
                hits += 1
                Issue.record("\(index.labels[secret]) appears in \(place.name)")
            }
        }
        let bytes = places.map(\.bytes.count).reduce(0, +)
        let needles = index.count
        print("secret canaries: \(index.labels.count) values (\(canaries) canaries) in \(needles) needles, searched in \(places.count) places, \(bytes) bytes: \(hits) hits")
    }
}

/// The forms a secret may leak in: as it is, base64 (standard and URL-safe), hex (both cases) and
/// percent-encoded; a PEM key also as its DER (raw, base64 unbroken, hex).
enum CanaryForms {
    static func of(_ value: String) -> [[UInt8]] {
        var forms: [[UInt8]] = []
        func add(_ bytes: [UInt8]) {
            forms.append(bytes)
            let base64 = Data(bytes).base64EncodedString()
            forms.append(Array(base64.utf8))
            forms.append(Array(base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .trimmingCharacters(in: ["="]).utf8))
            let hex = bytes.map { String(format: "%02x", $0) }.joined()
            forms.append(Array(hex.utf8))
            forms.append(Array(hex.uppercased().utf8))
        }
        add(Array(value.utf8))
        if let percent = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics), percent != value {
            forms.append(Array(percent.utf8))
        }
        if value.contains("-----BEGIN") {
            let body = value.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            if let der = Data(base64Encoded: body) { add(Array(der)) }
        }
        return forms
    }
}

/// Every form of every secret, found in one pass over a place per needle length: a form over 40
/// bytes is kept as its 40-byte slices (any leak of it, or of a part of it that long, holds one).
struct CanaryIndex {
    private var byLength: [Int: [ArraySlice<UInt8>: Int]] = [:]
    private(set) var labels: [String] = []
    private(set) var count = 0

    mutating func add(_ label: String, forms: [[UInt8]]) {
        let id = labels.count
        labels.append(label)
        for form in forms where !form.isEmpty {
            if form.count > 40 {
                for start in 0...(form.count - 40) {
                    byLength[40, default: [:]][form[start..<(start + 40)]] = id
                    count += 1
                }
            } else {
                byLength[form.count, default: [:]][form[...]] = id
                count += 1
            }
        }
    }

    /// The secrets found in `bytes`.
    func hits(in bytes: [UInt8]) -> Set<Int> {
        var found: Set<Int> = []
        for (length, needles) in byLength where length <= bytes.count {
            for start in 0...(bytes.count - length) {
                if let id = needles[bytes[start..<(start + length)]] { found.insert(id) }
            }
        }
        return found
    }
}
