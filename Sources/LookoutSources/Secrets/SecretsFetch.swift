import LookoutAWS
import LookoutConfig
import LookoutModel

/// The configured secrets' versions and change times, from DescribeParameters: a value is never read.
struct SecretsFetch {
    let client: AWSClient
    let secrets: [SecretConfig]

    func fetch() async throws -> [SecretObservation] {
        var found: [String: SSM.ParameterMetadata] = [:]
        // DescribeParameters takes at most 50 values per Name filter.
        for start in stride(from: 0, to: secrets.count, by: 50) {
            let names = secrets[start..<min(start + 50, secrets.count)].map(\.ssm)
            let page = try await client.ssm.describeParameters(named: names)
            // A parameter whose answer cannot be read even alone: named, as a missing one is.
            if let unreadable = page.unreadable.first {
                throw SourceProblem("SSM parameter \(unreadable.name) could not be read (asked for it alone): \(unreadable.error)")
            }
            for parameter in page.found { if let name = parameter.name { found[name] = parameter } }
        }
        return try secrets.map { secret in
            guard let parameter = found[secret.ssm], let version = parameter.version, let modified = parameter.lastModifiedDate else {
                throw SourceProblem("SSM parameter \(secret.ssm) (secret \(secret.name)) not found")
            }
            return SecretObservation(name: secret.name, ssm: secret.ssm, version: version, lastModified: modified)
        }
    }
}
