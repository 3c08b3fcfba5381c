import Foundation

/// STS AssumeRole with credentials from another provider: a profile's `role_arn`, or the
/// environment's own `role_arn` on top of the chain.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    public let roleArn: String
    public let sessionName: String
    public let externalId: String?
    public let durationSeconds: Int?
    let source: any CredentialProvider
    let configuration: AWSConfiguration
    let transport: any HTTPTransport

    /// `configuration` says where STS is (region, endpoint) and names the environment in errors.
    public init(
        roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil,
        source: any CredentialProvider, configuration: AWSConfiguration, transport: any HTTPTransport
    ) {
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
        self.source = source
        var stsConfiguration = configuration
        stsConfiguration.profile = nil
        stsConfiguration.roleArn = nil
        self.configuration = stsConfiguration
        self.transport = transport
    }

    public func credentials() async throws(CredentialsError) -> Credentials {
        let sts = AWSClient(configuration: configuration, credentials: source, transport: transport)
        do {
            let assumed = try await STS.assumeRole(
                roleArn: roleArn, sessionName: sessionName, durationSeconds: durationSeconds, externalId: externalId,
                using: sts)
            return assumed.credentials
        } catch {
            if case .credentials(let inner) = error.kind { throw inner }
            throw .providerFailed(provider: "assume role \(roleArn)", reason: error.description)
        }
    }
}
