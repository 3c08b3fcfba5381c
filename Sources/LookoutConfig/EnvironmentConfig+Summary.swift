extension EnvironmentConfig {
    /// One line saying what is configured for this environment, as `config validate` prints it.
    public var summary: String {
        var flags: [String] = []
        if protected { flags.append("protected") }
        if readOnly { flags.append("read-only") }
        let head = flags.isEmpty ? name : "\(name) (\(flags.joined(separator: ", ")))"

        var awsPart = "aws \(aws.region)"
        if let profile = aws.profile { awsPart += " profile \(profile)" }
        if let role = aws.roleARN { awsPart += " assuming \(role)" }
        if let endpoint = aws.endpoint { awsPart += " via \(endpoint.absoluteString)" }
        var parts = [awsPart]

        if let ecs {
            let services = ecs.services.map { "\($0.count) services" } ?? "all services"
            parts.append("ecs \(ecs.cluster) (\(services))")
        }
        if let autoscaling {
            parts.append("asg \(autoscaling.groups.joined(separator: ","))")
        }
        if let kafka {
            var security: [String] = []
            if let tls = kafka.tls { security.append(tls.caPCA != nil ? "TLS (CA from PCA)" : "TLS") }
            if let sasl = kafka.sasl { security.append("SASL \(sasl.mechanism.rawValue) as \(sasl.username)") }
            if security.isEmpty { security.append("plaintext") }
            let count = kafka.bootstrap.count
            parts.append("kafka \(count) bootstrap \(count == 1 ? "address" : "addresses"), \(security.joined(separator: " + "))")
        }
        if let certificates {
            var text = "certificates \(certificates.tracked.count) tracked"
            if certificates.pca != nil { text += " + CA" }
            text += " (warn \(certificates.warnDays)d, crit \(certificates.critDays)d)"
            parts.append(text)
        }
        if !endpoints.isEmpty { parts.append("\(endpoints.count) \(endpoints.count == 1 ? "endpoint" : "endpoints")") }
        if !secrets.isEmpty { parts.append("\(secrets.count) \(secrets.count == 1 ? "secret" : "secrets")") }
        return "\(head): " + parts.joined(separator: "; ")
    }
}
