import Foundation

/// A profile of the shared files, resolved in botocore's order: `role_arn` (with `source_profile` or
/// `credential_source`, through STS AssumeRole), IAM Identity Center (`sso_session` or
/// `sso_start_url`: ``SSOCredentials``), keys in the credentials file, `credential_process`, keys in
/// the config file.
struct ProfileCredentials: ChainLink {
    let profile: String
    /// Named by the configuration or `AWS_PROFILE`: then a missing profile is an error.
    let explicit: Bool
    let environment: [String: String]
    let configuration: AWSConfiguration
    let transport: any HTTPTransport

    var name: String {
        let files = SharedConfigFiles(environment: environment)
        return "shared profile \"\(profile)\" (\(files.configPath), \(files.credentialsPath))"
    }

    func load() async throws(CredentialsError) -> Credentials? {
        var files = SharedConfigFiles(environment: environment)
        try files.load()
        guard files.profile(profile) != nil else {
            if explicit {
                throw .providerFailed(
                    provider: name, reason: "profile \"\(profile)\" is in neither \(files.configPath) nor \(files.credentialsPath)")
            }
            return nil
        }
        return try await resolve(profile, files: files, visited: [])
    }

    private func resolve(_ profileName: String, files: SharedConfigFiles, visited: [String])
        async throws(CredentialsError) -> Credentials?
    {
        let provider = "shared profile \"\(profileName)\""
        guard let values = files.profile(profileName) else {
            throw .providerFailed(provider: provider, reason: "profile \"\(profileName)\" does not exist")
        }
        if let roleArn = values["role_arn"] {
            if values["web_identity_token_file"] != nil {
                throw .providerFailed(provider: provider, reason: "web identity profiles are not supported")
            }
            if values["mfa_serial"] != nil {
                throw .providerFailed(provider: provider, reason: "roles that need an MFA code are not supported")
            }
            let source = try await sourceCredentials(profileName, values: values, files: files, visited: visited)
            let assume = AssumeRoleCredentialProvider(
                roleArn: roleArn,
                sessionName: values["role_session_name"] ?? "lookout-\(Int(Date().timeIntervalSince1970))",
                externalId: values["external_id"], durationSeconds: values["duration_seconds"].flatMap { Int($0) },
                source: StaticCredentialProvider(source), configuration: configuration, transport: transport)
            var credentials = try await assume.credentials()
            credentials.source = "\(provider) (assume role \(roleArn))"
            return credentials
        }
        if values["sso_session"] != nil || values["sso_start_url"] != nil {
            return try await SSOCredentials(profile: profileName, values: values, files: files, environment: environment,
                                            transport: transport).load()
        }
        if let keys = Self.staticKeys(files.credentials[profileName], source: "\(provider) in \(files.credentialsPath)") {
            return keys
        }
        if let command = values["credential_process"] {
            return try await ProcessCredentials(command: command, environment: environment, profile: profileName).load()
        }
        if let keys = Self.staticKeys(files.config[profileName], source: "\(provider) in \(files.configPath)") {
            return keys
        }
        return nil
    }

    private func sourceCredentials(
        _ profileName: String, values: [String: String], files: SharedConfigFiles, visited: [String]
    ) async throws(CredentialsError) -> Credentials {
        let provider = "shared profile \"\(profileName)\""
        if let sourceProfile = values["source_profile"] {
            if sourceProfile == profileName {
                guard let keys = Self.staticKeys(values, source: provider) else {
                    throw .providerFailed(provider: provider, reason: "source_profile is itself but it has no keys")
                }
                return keys
            }
            if visited.contains(sourceProfile) {
                throw .providerFailed(
                    provider: provider, reason: "source_profile loop: \((visited + [profileName, sourceProfile]).joined(separator: " → "))")
            }
            guard let resolved = try await resolve(sourceProfile, files: files, visited: visited + [profileName]) else {
                throw .providerFailed(provider: provider, reason: "source_profile \"\(sourceProfile)\" has no credentials")
            }
            return resolved
        }
        let link: (any ChainLink)? =
            switch values["credential_source"] {
            case "Environment": EnvironmentCredentials(environment: environment)
            case "Ec2InstanceMetadata": InstanceMetadataCredentials(environment: environment, transport: transport)
            case "EcsContainer": ContainerCredentials(environment: environment, transport: transport)
            default: nil
            }
        guard let link else {
            throw .providerFailed(
                provider: provider,
                reason: "role_arn needs source_profile or credential_source (Environment, Ec2InstanceMetadata, EcsContainer)")
        }
        guard let found = try await link.load() else {
            throw .providerFailed(provider: provider, reason: "credential_source found nothing in \(link.name)")
        }
        return found
    }

    static func staticKeys(_ values: [String: String]?, source: String) -> Credentials? {
        guard let values, let accessKey = values["aws_access_key_id"], let secret = values["aws_secret_access_key"]
        else { return nil }
        let token = values["aws_session_token"] ?? values["aws_security_token"]
        return Credentials(
            accessKeyId: accessKey, secretAccessKey: SecretValue(secret), sessionToken: token.map(SecretValue.init),
            source: source)
    }
}
