import LookoutModel
import LookoutSources

/// Endpoints: what a client meets at each one, phase by phase (DNS, TCP, TLS, Kafka, each with its
/// time or why it did not pass), the serial it serves, and the Route53 health check that names it.
enum EndpointsRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .endpoints, columns: 10) { info, snapshot in
            (snapshot.endpoints ?? []).map { endpoint in
                let observation = endpoint.observation
                let check: TableCell = endpoint.route53.map { judged in
                    TableCell("\(judged.observation.healthyObservations)/\(judged.observation.totalObservations) healthy",
                              .status(StatusRole(judged.status)))
                } ?? TableCell("-", .dim)
                return Row([Cells.environment(info), TableCell(observation.name), Cells.status(endpoint.status, context.symbols),
                            TableCell(observation.address),
                            phase(observation.dns, context), phase(observation.tcp, context),
                            phase(observation.tls, context), phase(observation.kafka, context),
                            TableCell(served(observation), .dim), check],
                           environment: info.name)
            }
        }
    }

    /// A phase as its time, or what kept it from passing; the error itself is in the errors view.
    static func phase(_ result: PhaseResult, _ context: ViewContext) -> TableCell {
        switch result.outcome {
        case .ok: TableCell(result.durationMs.map { "\($0)ms" } ?? "ok", .status(.ok))
        case .failed: TableCell("\(context.symbols.symbol(.crit)) \(result.error ?? "failed")", .status(.crit))
        case .skipped: TableCell("skipped", .dim)
        case .off: TableCell("off", .dim)
        }
    }

    static func served(_ observation: EndpointObservation) -> String {
        guard let served = observation.served else { return "-" }
        var notes: [String] = []
        if served.chainsToAnchors == false { notes.append("untrusted") }
        if !served.nameMatches { notes.append("wrong name") }
        return ([served.serial] + notes).joined(separator: " ")
    }
}
