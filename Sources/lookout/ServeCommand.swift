import ArgumentParser
import Foundation
import LookoutActions
import LookoutConfig
import LookoutPolling
import LookoutServe
import LookoutUI
import NIOSSL

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Poll every environment as the console does and serve the evaluation to Prometheus.",
        discussion: """
            GET /metrics answers in OpenMetrics when asked for it (Prometheus asks first) and in the \
            Prometheus text format otherwise; GET /snapshot is `snapshot --format json`; GET /healthz \
            is 200 once a poll has finished. One poll loop however many scrapes; never runs an action. \
            An address off loopback needs --tls-cert and --tls-key. SIGTERM or SIGINT end it.
            """
    )

    @OptionGroup var options: EnvironmentOptions

    @Option(name: .long, help: ArgumentHelp("The address to listen on: HOST:PORT or [V6]:PORT.", valueName: "address"))
    var listen: String = "127.0.0.1:9108"

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("A PEM certificate chain: serve HTTPS.", valueName: "path"), completion: .file())
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "path"), completion: .file())
    var tlsKey: String?

    @Option(name: .customLong("group-ttl"), help: ArgumentHelp("How long a consumer group that is gone keeps its NOTFOUND series.", valueName: "duration"))
    var groupTTL: String = "1h"

    func run() async throws {
        let (config, environments) = try options.load()
        guard let address = HTTPServer.Address(listen) else {
            throw CommandFailure(message: "--listen \(listen): not HOST:PORT (or [V6]:PORT)", code: 64)
        }
        guard let ttl = ConfigDuration(parsing: groupTTL), ttl.milliseconds > 0, ttl.milliseconds <= ConfigDuration.maximum.milliseconds else {
            throw CommandFailure(message: "--group-ttl \(groupTTL): not a duration such as 30m or 1h", code: 64)
        }
        let tls: NIOSSLContext?
        switch (tlsCert, tlsKey) {
        case (nil, nil):
            tls = nil
        case (let cert?, let key?):
            do {
                tls = try HTTPServer.tlsContext(certificate: cert, key: key)
            } catch {
                throw CommandFailure(message: "--tls-cert \(cert) --tls-key \(key): cannot be used: \(error)", code: 66)
            }
        default:
            throw CommandFailure(message: "--tls-cert and --tls-key go together", code: 64)
        }
        guard address.isLoopback || tls != nil else {
            throw CommandFailure(message: "--listen \(address) is reachable from the network: give --tls-cert and --tls-key (the metrics name every environment, group and certificate)", code: 64)
        }

        Interruption.beginService()
        let exporter = Exporter(groupTTL: ttl.seconds)
        let poller = LivePoller(environments: environments, refresh: config.refresh.swiftDuration,
                                timing: { timing in
                                    exporter.pollFinished(environment: timing.environment)
                                    Task.detached(priority: .utility) { exporter.prewarm() }
                                },
                                publish: { exporter.publish($0); Heap.trimIfDue() })
        let server: HTTPServer
        do {
            server = try await HTTPServer.start(address, tls: tls, exporter: exporter)
        } catch {
            throw CommandFailure(message: "cannot listen on \(address): \(error)", code: 69)
        }
        await poller.start()
        printError("lookout serve: \(tls == nil ? "http" : "https")://\(address.description.replacingOccurrences(of: ":\(address.port)", with: ":\(server.port)"))/metrics, \(environments.count) environments, refresh \(config.refresh)")
        while Interruption.pending == nil {
            try? await Task.sleep(for: .milliseconds(100))
        }
        // SIGTERM or SIGINT: stop listening, then the polls, within 5 s in all.
        await server.stop()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await poller.stop() }
            group.addTask { try? await Task.sleep(for: .seconds(3)) }
            await group.next()
            group.cancelAll()
        }
        printError("lookout serve: stopped by \(Interruption.pending?.description ?? "a signal")")
        Foundation.exit(0)
    }
}
