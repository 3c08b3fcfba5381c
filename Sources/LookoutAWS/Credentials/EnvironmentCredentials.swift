/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (or `AWS_SECURITY_TOKEN`).
struct EnvironmentCredentials: ChainLink {
    let environment: [String: String]
    let name = "environment variables"

    func load() async throws(CredentialsError) -> Credentials? {
        let accessKey = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secretKey = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (accessKey, secretKey) {
        case (nil, nil):
            return nil
        case (let accessKey?, let secretKey?):
            let token = environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"]
            return Credentials(
                accessKeyId: accessKey, secretAccessKey: SecretValue(secretKey), sessionToken: token.map(SecretValue.init),
                expiration: environment["AWS_CREDENTIAL_EXPIRATION"].flatMap(ISO8601.parse), source: name)
        default:
            throw .providerFailed(
                provider: name, reason: "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set")
        }
    }
}
