/// The credential chain of the AWS CLI, for one environment:
///
/// 1. environment variables (skipped when the environment names a profile, as botocore does for an
///    explicit profile; `AWS_PROFILE` keeps them first);
/// 2. the profile (`configuration.profile`, else `AWS_PROFILE`, else `default`) of the shared files;
/// 3. container credentials, always connecting directly (botocore's `ContainerMetadataFetcher`
///    uses no proxy: the endpoint's Authorization token must not pass through one);
/// 4. EC2 instance metadata, through the environment's proxy settings as botocore's `IMDSFetcher`
///    (`get_environ_proxies`); left out, and not named as tried, when `AWS_EC2_METADATA_DISABLED=true`;
///
/// then `configuration.roleArn`, if set, assumed with what the chain found. Each stage renews its
/// temporary credentials before they expire.
public enum CredentialChain {
    public static func provider(
        for configuration: AWSConfiguration, environment: [String: String], transport: any HTTPTransport
    ) -> any CredentialProvider {
        provider(for: configuration, environment: environment, transport: transport,
                 containerHost: ContainerCredentials.relativeHost)
    }

    /// `containerHost`: where `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is asked (tests point it at loopback).
    static func provider(
        for configuration: AWSConfiguration, environment: [String: String], transport: any HTTPTransport,
        containerHost: String
    ) -> any CredentialProvider {
        let chain = RefreshingCredentialProvider(
            ChainProvider(
                links: links(for: configuration, environment: environment, transport: transport,
                             containerHost: containerHost),
                environmentName: configuration.environmentName))
        guard let roleArn = configuration.roleArn else { return chain }
        let session = "lookout-" + (configuration.environmentName ?? "session")
            .map { $0.isLetter || $0.isNumber || "=,.@-".contains($0) ? $0 : "-" }
        return RefreshingCredentialProvider(
            AssumeRoleCredentialProvider(
                roleArn: roleArn, sessionName: String(session.prefix(64)), source: chain, configuration: configuration,
                transport: transport))
    }

    static func links(
        for configuration: AWSConfiguration, environment: [String: String], transport: any HTTPTransport,
        containerHost: String = ContainerCredentials.relativeHost
    ) -> [any ChainLink] {
        let profileFromEnvironment = (environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"])
            .flatMap { $0.isEmpty ? nil : $0 }
        var links: [any ChainLink] = []
        if configuration.profile == nil { links.append(EnvironmentCredentials(environment: environment)) }
        links.append(
            ProfileCredentials(
                profile: configuration.profile ?? profileFromEnvironment ?? "default",
                explicit: configuration.profile != nil || profileFromEnvironment != nil, environment: environment,
                configuration: configuration, transport: transport))
        links.append(
            ContainerCredentials(environment: environment, transport: transport.withoutProxy(), relativeHost: containerHost))
        let instanceMetadata = InstanceMetadataCredentials(environment: environment, transport: transport)
        if !instanceMetadata.disabled { links.append(instanceMetadata) }
        return links
    }
}

/// Tries each link in turn; the first with credentials wins, the first that fails stops the chain.
struct ChainProvider: CredentialProvider {
    let links: [any ChainLink]
    let environmentName: String?

    func credentials() async throws(CredentialsError) -> Credentials {
        var tried: [String] = []
        for link in links {
            tried.append(link.name)
            if let found = try await link.load() { return found }
        }
        throw .notFound(environment: environmentName, tried: tried)
    }
}
