import LookoutAWS
import LookoutConfig
import LookoutModel

/// The Route53 health checks the endpoints name.
struct Route53Fetch {
    let client: AWSClient
    let endpoints: [EndpointConfig]

    func fetch() async throws -> [HealthCheckObservation] {
        var result: [HealthCheckObservation] = []
        for endpoint in endpoints {
            guard let id = endpoint.route53HealthCheck else { continue }
            let observations = try await client.route53.getHealthCheckStatus(id: id)
            let healthy = observations.filter { ($0.status ?? "").hasPrefix("Success") }.count
            result.append(HealthCheckObservation(id: id, endpoint: endpoint.name, healthyObservations: healthy, totalObservations: observations.count))
        }
        return result
    }
}
