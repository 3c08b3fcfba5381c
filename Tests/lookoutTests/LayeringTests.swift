import Foundation
import LookoutTestSupport
import Testing

/// The layering `docs/architecture.md` states, read from the sources' `import` lines: a module may
/// import only what its row allows (Foundation, the C shims and the platform come free), so a
/// change that crosses a layer fails here and in review.
@Suite struct LayeringTests {
    static let free: Set<String> = ["Foundation", "Glibc", "Darwin", "Synchronization", "CCurl", "CNcurses", "CSignals", "CHeap", "CZlib"]

    /// What each of lookout's modules may import, beyond `free`.
    static let allowed: [String: Set<String>] = [
        "LookoutSecrets": [],
        "LookoutConfig": ["Yams"],
        "SigV4": ["Crypto"],
        "LookoutAWS": ["Crypto", "SigV4", "LookoutSecrets"],
        "KafkaProtocol": ["NIOCore"],
        "LookoutKafka": ["Crypto", "KafkaProtocol", "LookoutSecrets", "NIOCore", "NIOPosix", "NIOSSL"],
        "LookoutX509": ["SwiftASN1", "X509"],
        // The model does no I/O: it judges what the pollers observed.
        "LookoutModel": ["LookoutConfig"],
        "LookoutEnvironment": ["LookoutAWS", "LookoutConfig", "LookoutKafka"],
        // One folder per source; only each source's fetch does I/O (through the clients it is given).
        "LookoutSources": ["LookoutAWS", "LookoutConfig", "LookoutEnvironment", "LookoutKafka", "LookoutModel", "LookoutProbes",
                           "LookoutSecrets", "LookoutX509", "X509"],
        "LookoutProbes": ["LookoutConfig", "LookoutModel", "LookoutX509", "NIOCore", "NIOPosix", "NIOSSL", "NIOTLS", "X509"],
        "LookoutPolling": ["LookoutAWS", "LookoutConfig", "LookoutEnvironment", "LookoutKafka", "LookoutModel", "LookoutSources"],
        "LookoutActions": ["Crypto", "_CryptoExtras", "LookoutAWS", "LookoutConfig", "LookoutEnvironment", "LookoutKafka", "LookoutModel", "LookoutSources",
                           "LookoutProbes", "LookoutX509", "SwiftASN1", "X509"],
        // The screen imports neither AWS nor Kafka: it renders snapshots and calls the actions' one path.
        "LookoutUI": ["LookoutActions", "LookoutConfig", "LookoutModel", "LookoutPolling", "LookoutSources"],
        // The exporter reads snapshots and serves them; it holds no action's code and no client.
        "LookoutServe": ["LookoutModel", "LookoutSources", "NIOCore", "NIOHTTP1", "NIOPosix", "NIOSSL"],
        "lookout": ["ArgumentParser", "LookoutActions", "LookoutConfig", "LookoutEnvironment", "LookoutModel", "LookoutPolling", "LookoutServe", "LookoutSources", "LookoutUI", "NIOSSL"],
    ]

    @Test func everyModuleImportsOnlyWhatItsLayerAllows() throws {
        let sources = SandboxLocation.repository.appendingPathComponent("Sources")
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix("C") || $0 == "CCurl" }
        var checked = 0
        for module in modules.sorted() where !["CCurl", "CNcurses"].contains(module) {
            let allowed = try #require(Self.allowed[module], "\(module) has no row in LayeringTests (and docs/architecture.md)")
            let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(module).path)?
                .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for file in files {
                let text = try String(contentsOf: sources.appendingPathComponent(module).appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let index = words.firstIndex(of: "import"), words[..<index].allSatisfy({ $0.hasPrefix("@") }),
                          index + 1 < words.count else { continue }
                    let imported = String(words[index + 1])
                    #expect(Self.free.contains(imported) || allowed.contains(imported), "\(module)/\(file) imports \(imported)")
                    checked += 1
                }
            }
        }
        #expect(checked > 200, "only \(checked) import lines read")
    }
}
