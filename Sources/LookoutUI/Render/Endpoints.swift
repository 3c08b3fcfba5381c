import LookoutModel

/// Endpoints: the Route53 health checks that exist, and a note for the probes not built yet.
enum EndpointsRender {
    static func rows(_ context: ViewContext) -> [Row] {
        var result = ResourceRows.build(context, source: "route53", columns: 5) { info, snapshot in
            (snapshot.healthChecks ?? []).map { check in
                Row([Cells.environment(info), TableCell(check.observation.endpoint), Cells.status(check.status, context.symbols),
                     TableCell("route53 \(check.observation.healthyObservations)/\(check.observation.totalObservations) healthy"),
                     TableCell(check.observation.id, .dim)],
                    environment: info.name)
            }
        }
        result += ResourceRows.notBuilt(context, columns: 5, what: "endpoint probes (DNS, TCP, TLS, Kafka)")
        return result
    }
}
