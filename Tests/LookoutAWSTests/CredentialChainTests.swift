import Crypto
import Foundation
import Testing

@testable import LookoutAWS

/// Each provider of the chain against botocore in the same set-up: the same files and variables,
/// handed to botocore (Tests/Support/botocore_credentials.py) and to our chain. Secrets are
/// compared by SHA-256 so that a failure never prints one.
@Suite("Credential chain against botocore")
struct CredentialChainTests {
    struct Botocore: Decodable {
        var method: String?
        var access_key: String?
        var secret_sha256: String?
        var token_sha256: String?
        var arn: String?
        var error: String?
    }

    /// A scratch HOME with its own ~/.aws, and an environment with no AWS_* from the outside.
    struct Setup {
        let home: String
        var environment: [String: String]

        init() throws {
            home = NSTemporaryDirectory() + "lookout-creds-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
            environment = [
                "HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "AWS_EC2_METADATA_DISABLED": "true",
            ]
            if let pyenv = ProcessInfo.processInfo.environment["PYENV_ROOT"] { environment["PYENV_ROOT"] = pyenv }
        }

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: home + "/.aws/" + name, atomically: true, encoding: .utf8)
        }

        func cleanUp() {
            try? FileManager.default.removeItem(atPath: home)
        }
    }

    static func sha(_ value: String?) -> String? {
        value.map { SHA256.hash(data: Array($0.utf8)).map { String(format: "%02x", $0) }.joined() }
    }

    func botocore(_ setup: Setup, profile: String? = nil, identity moto: MotoServer? = nil,
                  containerHost: String? = nil) async throws -> Botocore {
        var arguments = [python, supportDirectory + "/botocore_credentials.py"]
        if let profile { arguments += ["--profile", profile] }
        if let containerHost { arguments += ["--container-host", containerHost] }
        if let moto { arguments += ["--identity", moto.endpoint, moto.region] }
        let result = try await run(arguments, environment: setup.environment)
        guard result.status == 0 else { throw TestSetupError(description: "botocore helper: \(result.stderr)") }
        return try JSONDecoder().decode(Botocore.self, from: result.stdout)
    }

    func ours(_ setup: Setup, profile: String? = nil, roleArn: String? = nil, environmentName: String = "test",
              moto: MotoServer? = nil) -> AWSClient {
        AWSClient(
            configuration: AWSConfiguration(
                environmentName: environmentName, region: moto?.region ?? "us-east-1", profile: profile,
                roleArn: roleArn, endpoint: moto?.endpoint),
            environment: setup.environment, transport: CurlTransport(proxy: ProxySettings()))
    }

    /// botocore's resolution in `setup` by the method `method`, and lookout's the same; botocore's is returned.
    @discardableResult
    func expectBothResolve(_ setup: Setup, by method: String?, _ context: String) async throws -> Botocore {
        let theirs = try await botocore(setup)
        if let method { #expect(theirs.method == method, "\(context)") }
        expectSame(try await ours(setup).credentials(), theirs, context)
        return theirs
    }

    /// Same access key, same secret, same token (by digest).
    func expectSame(_ mine: Credentials, _ theirs: Botocore, _ context: String) {
        #expect(theirs.method != nil, "botocore found credentials: \(context)")
        #expect(mine.accessKeyId == theirs.access_key, "\(context)")
        // Digests computed outside #expect, whose failure report would show its subexpressions.
        let secretDigest = Self.sha(mine.secretAccessKey.reveal())
        let tokenDigest = Self.sha(mine.sessionToken?.reveal())
        #expect(secretDigest == theirs.secret_sha256, "\(context): secret digest")
        #expect(tokenDigest == theirs.token_sha256, "\(context): token digest")
    }

    @Test("environment variables")
    func environmentVariables() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        setup.environment["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        setup.environment["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        setup.environment["AWS_SESSION_TOKEN"] = "env-token"
        let theirs = try await botocore(setup)
        #expect(theirs.method == "env")
        let mine = try await ours(setup).credentials()
        expectSame(mine, theirs, "env")
        #expect(mine.source == "environment variables")
    }

    @Test("AWS_PROFILE: the credentials file wins over the config file; env variables still come first")
    func sharedFiles() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        try setup.write("credentials", "[team]\naws_access_key_id = AKIDCREDFILE\naws_secret_access_key = cred-file-secret\n")
        try setup.write("config", "[profile team]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = config-secret\n")
        setup.environment["AWS_PROFILE"] = "team"
        try await expectBothResolve(setup, by: "shared-credentials-file", "AWS_PROFILE")

        setup.environment["AWS_ACCESS_KEY_ID"] = "AKIDENVFIRST"
        setup.environment["AWS_SECRET_ACCESS_KEY"] = "env-first-secret"
        try await expectBothResolve(setup, by: "env", "AWS_PROFILE with env variables")
    }

    @Test("an explicit profile skips the environment variables; credential_process beats config-file keys")
    func explicitProfileAndProcess() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        let script = setup.home + "/creds.sh"
        try """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "2099-01-01T00:00:00Z"}'
            """.write(toFile: script, atomically: true, encoding: .utf8)
        _ = try await run(["chmod", "+x", script])
        try setup.write(
            "config",
            "[profile proc]\ncredential_process = \(script) --flag \"quoted arg\"\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = config-secret\n")
        setup.environment["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        setup.environment["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        let theirs = try await botocore(setup, profile: "proc")
        #expect(theirs.method == "custom-process")
        let mine = try await ours(setup, profile: "proc").credentials()
        expectSame(mine, theirs, "credential_process")
        #expect(mine.expiration == ISO8601.parse("2099-01-01T00:00:00Z"))
    }

    @Test("role_arn with source_profile, one and two hops, through STS AssumeRole on moto")
    func assumeRoleProfiles() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        var setup = try Setup()
        defer { setup.cleanUp() }
        try setup.write("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n")
        try setup.write(
            "config",
            """
            [profile ops]
            role_arn = arn:aws:iam::222222222222:role/ops
            source_profile = base
            role_session_name = lookout-ops
            [profile deep]
            role_arn = arn:aws:iam::333333333333:role/deep
            source_profile = ops
            role_session_name = lookout-deep
            """)
        setup.environment["AWS_ENDPOINT_URL"] = moto.endpoint
        setup.environment["AWS_DEFAULT_REGION"] = moto.region
        for (profile, arn) in [
            ("ops", "arn:aws:sts::222222222222:assumed-role/ops/lookout-ops"),
            ("deep", "arn:aws:sts::333333333333:assumed-role/deep/lookout-deep"),
        ] {
            let theirs = try await botocore(setup, profile: profile, identity: moto)
            #expect(theirs.method == "assume-role")
            #expect(theirs.arn == arn)
            let client = ours(setup, profile: profile, moto: moto)
            let mine = try await client.credentials()
            #expect(mine.accessKeyId.hasPrefix("ASIA"))
            #expect(mine.expiration != nil)
            #expect(try await client.sts.getCallerIdentity().arn == theirs.arn, "\(profile): same identity as botocore")
        }
    }

    @Test("the environment's role_arn on top of the chain, as credential_source = Environment does in botocore")
    func roleOnTop() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        var setup = try Setup()
        defer { setup.cleanUp() }
        setup.environment["AWS_ACCESS_KEY_ID"] = "AKIDENVBASE"
        setup.environment["AWS_SECRET_ACCESS_KEY"] = "env-base-secret"
        setup.environment["AWS_ENDPOINT_URL"] = moto.endpoint
        setup.environment["AWS_DEFAULT_REGION"] = moto.region
        try setup.write(
            "config",
            "[profile ref]\nrole_arn = arn:aws:iam::444444444444:role/lookout\ncredential_source = Environment\nrole_session_name = lookout-prod\n")
        let theirs = try await botocore(setup, profile: "ref", identity: moto)
        let client = ours(setup, roleArn: "arn:aws:iam::444444444444:role/lookout", environmentName: "prod", moto: moto)
        #expect(try await client.sts.getCallerIdentity().arn == theirs.arn)
        #expect(theirs.arn == "arn:aws:sts::444444444444:assumed-role/lookout/lookout-prod")
    }

    @Test("container credentials: FULL_URI with a token, and with a token file")
    func container() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        let port = freePort()
        let server = try BackgroundServer(
            port: port,
            command: [python, supportDirectory + "/container_credentials_server.py", String(port), "Bearer t0ken",
                      "AKIDCONTAINER", "container-secret", "container-token"])
        defer { server.stop() }
        try await server.waitUntilListening()
        setup.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(port)/creds"
        setup.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Bearer t0ken"
        let theirs = try await botocore(setup)
        #expect(theirs.method == "container-role")
        let mine = try await ours(setup).credentials()
        expectSame(mine, theirs, "container token")
        #expect(mine.expiration != nil)

        setup.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = nil
        try "Bearer t0ken".write(toFile: setup.home + "/token", atomically: true, encoding: .utf8)
        setup.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = setup.home + "/token"
        expectSame(try await ours(setup).credentials(), try await botocore(setup), "container token file")

        setup.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
        let refused = await #expect(throws: CredentialsError.self) { _ = try await ours(setup).credentials() }
        #expect(refused.map { "\($0)" }?.contains("HTTP 401") == true, "a wrong token is an error, not a skip")
    }

    /// The container endpoint of `container_credentials_server.py` on a fresh port.
    func containerServer(token: String) async throws -> (BackgroundServer, Int) {
        let port = freePort()
        let server = try BackgroundServer(
            port: port,
            command: [python, supportDirectory + "/container_credentials_server.py", String(port), token,
                      "AKIDCONTAINER", "container-secret", "container-token"])
        try await server.waitUntilListening()
        return (server, port)
    }

    @Test("container credentials: RELATIVE_URI on the container host (injected: loopback), as botocore with its IP_ADDRESS there")
    func containerRelative() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        let (server, port) = try await containerServer(token: "-")
        defer { server.stop() }
        setup.environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/creds"
        let theirs = try await botocore(setup, containerHost: "127.0.0.1:\(port)")
        #expect(theirs.method == "container-role")
        let client = AWSClient(
            configuration: AWSConfiguration(environmentName: "test", region: "us-east-1"),
            credentials: CredentialChain.provider(
                for: AWSConfiguration(environmentName: "test", region: "us-east-1"), environment: setup.environment,
                transport: CurlTransport(proxy: ProxySettings()), containerHost: "http://127.0.0.1:\(port)"),
            transport: CurlTransport(proxy: ProxySettings()))
        let mine = try await client.credentials()
        expectSame(mine, theirs, "RELATIVE_URI")
        #expect(mine.source == "container credentials")
        #expect(ContainerCredentials(environment: setup.environment, transport: CurlTransport()).relativeHost
            == "http://169.254.170.2", "the default host is ECS's")

        setup.environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/other"
        let wrongPath = await #expect(throws: CredentialsError.self) {
            _ = try await CredentialChain.provider(
                for: AWSConfiguration(environmentName: "test", region: "us-east-1"), environment: setup.environment,
                transport: CurlTransport(proxy: ProxySettings()), containerHost: "http://127.0.0.1:\(port)"
            ).credentials()
        }
        #expect(wrongPath.map { "\($0)" }?.contains("HTTP 401") == true, "the relative path is what is asked")
    }

    @Test("container credentials never go through HTTP_PROXY (botocore's ContainerMetadataFetcher uses none); AWS calls still do")
    func containerIgnoresProxy() async throws {
        let fixture = try await ProxyFixture()
        let (moto, _) = try await SharedMoto.shared.get()
        var setup = try Setup()
        defer { setup.cleanUp() }
        let (server, port) = try await containerServer(token: "Bearer pr0xy")
        defer { server.stop() }
        setup.environment["HTTP_PROXY"] = fixture.proxyURL
        setup.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(port)/creds"
        setup.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Bearer pr0xy"
        let theirs = try await botocore(setup)
        #expect(theirs.method == "container-role")
        // The transport the environment's proxy settings make, as lookout builds it.
        let client = AWSClient(
            configuration: AWSConfiguration(environmentName: "proxied", region: moto.region, endpoint: moto.endpoint),
            environment: setup.environment)
        expectSame(try await client.credentials(), theirs, "container credentials with HTTP_PROXY set")
        let containerThroughProxy = fixture.proxyLog.contains("127.0.0.1:\(port)")
        #expect(!containerThroughProxy, "the proxy saw no container credentials request")

        #expect(try await client.sts.getCallerIdentity().account == "123456789012")
        #expect(fixture.proxyLog.contains("POST \(moto.endpoint)/ HTTP/1.1"), "the AWS call went through the proxy")
        // The proxy would have logged a container request had one passed (the check above can fail).
        let proxied = try await CurlTransport(proxy: ProxySettings(environment: setup.environment)).send(
            HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/creds"))
        #expect(proxied.status == 401)
        #expect(fixture.proxyLog.contains("GET http://127.0.0.1:\(port)/creds HTTP/1.1"))
    }

    @Test("EC2 instance metadata through HTTP_PROXY, as botocore's IMDSFetcher (get_environ_proxies)")
    func instanceMetadataThroughProxy() async throws {
        let fixture = try await ProxyFixture()
        let (moto, _) = try await SharedMoto.shared.get()
        var setup = try Setup()
        defer { setup.cleanUp() }
        setup.environment["AWS_EC2_METADATA_DISABLED"] = nil
        setup.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = moto.endpoint
        setup.environment["AWS_METADATA_SERVICE_TIMEOUT"] = "10"
        setup.environment["HTTP_PROXY"] = fixture.proxyURL
        let tokenLine = "PUT \(moto.endpoint)/latest/api/token HTTP/1.1"
        let theirs = try await botocore(setup)
        #expect(theirs.method == "iam-role")
        let afterBotocore = fixture.proxyLog.components(separatedBy: tokenLine).count - 1
        #expect(afterBotocore == 1, "botocore asked IMDS through the proxy")
        let mine = try await AWSClient(
            configuration: AWSConfiguration(environmentName: "test", region: moto.region), environment: setup.environment
        ).credentials()
        expectSame(mine, theirs, "IMDS through the proxy")
        let afterOurs = fixture.proxyLog.components(separatedBy: tokenLine).count - 1
        #expect(afterOurs == 2, "so did lookout")
    }

    @Test("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE outside ~/.aws; a profile with keys only in the config file")
    func sharedFilesElsewhere() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        // Decoys where the default paths point: neither client may read them.
        try setup.write("credentials", "[team]\naws_access_key_id = AKIDDECOYCRED\naws_secret_access_key = decoy-secret\n")
        try setup.write("config", "[profile cfgonly]\naws_access_key_id = AKIDDECOYCONF\naws_secret_access_key = decoy-conf\n")
        let elsewhere = setup.home + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try "[team]\naws_access_key_id = AKIDMOVEDCRED\naws_secret_access_key = moved-cred-secret\n"
            .write(toFile: elsewhere + "/creds.ini", atomically: true, encoding: .utf8)
        try """
            [profile team]
            aws_access_key_id = AKIDMOVEDCONF
            aws_secret_access_key = moved-conf-secret
            [profile cfgonly]
            aws_access_key_id = AKIDCONFIGONLY
            aws_secret_access_key = config-only-secret
            aws_session_token = config-only-token
            [default]
            aws_access_key_id = AKIDCONFIGDEFAULT
            aws_secret_access_key = config-default-secret

            """.write(toFile: elsewhere + "/conf.ini", atomically: true, encoding: .utf8)
        setup.environment["AWS_CONFIG_FILE"] = elsewhere + "/conf.ini"
        setup.environment["AWS_SHARED_CREDENTIALS_FILE"] = elsewhere + "/creds.ini"

        setup.environment["AWS_PROFILE"] = "team"
        let team = try await expectBothResolve(setup, by: "shared-credentials-file", "AWS_SHARED_CREDENTIALS_FILE")
        #expect(team.access_key == "AKIDMOVEDCRED")

        setup.environment["AWS_PROFILE"] = "cfgonly"
        let configOnly = try await expectBothResolve(setup, by: "config-file", "keys only in AWS_CONFIG_FILE")
        #expect(configOnly.access_key == "AKIDCONFIGONLY")
        expectSame(try await ours(setup, profile: "cfgonly").credentials(), configOnly, "explicit profile, config only")

        setup.environment["AWS_PROFILE"] = nil
        let fallback = try await expectBothResolve(setup, by: nil, "[default] of AWS_CONFIG_FILE")
        #expect(fallback.access_key == "AKIDCONFIGDEFAULT")
    }

    @Test("AWS_EC2_METADATA_DISABLED=true: instance metadata is neither asked nor named as tried")
    func instanceMetadataDisabled() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        #expect(setup.environment["AWS_EC2_METADATA_DISABLED"] == "true")
        // Something that would answer, to show it is not asked: moto serves the IMDS paths.
        let (moto, _) = try await SharedMoto.shared.get()
        setup.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = moto.endpoint
        let theirs = try await botocore(setup)
        #expect(theirs.method == nil, "botocore finds nothing either")
        let error = await #expect(throws: CredentialsError.self) {
            _ = try await ours(setup, environmentName: "dev").credentials()
        }
        guard case .notFound(let environment, let tried) = error else {
            Issue.record("expected notFound, got \(String(describing: error))")
            return
        }
        #expect(environment == "dev")
        #expect(tried.count == 3)
        #expect(tried.contains { $0.hasPrefix("EC2 instance metadata") } == false)
        #expect(tried.last == "container credentials")
    }

    @Test("EC2 instance metadata with an IMDSv2 token (moto serves the paths)")
    func instanceMetadata() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        var setup = try Setup()
        defer { setup.cleanUp() }
        setup.environment["AWS_EC2_METADATA_DISABLED"] = nil
        setup.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = moto.endpoint
        // moto on a loaded machine can take longer than the 1 s default; both clients read this.
        setup.environment["AWS_METADATA_SERVICE_TIMEOUT"] = "10"
        let theirs = try await botocore(setup)
        #expect(theirs.method == "iam-role")
        let mine = try await ours(setup).credentials()
        expectSame(mine, theirs, "IMDS")
        #expect(mine.source.hasPrefix("EC2 instance metadata"))
    }

    @Test("nothing found: the error names every provider tried, for this environment")
    func noneFound() async throws {
        var setup = try Setup()
        defer { setup.cleanUp() }
        setup.environment["AWS_EC2_METADATA_DISABLED"] = nil
        setup.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:\(freePort())"
        let theirs = try await botocore(setup)
        #expect(theirs.method == nil, "botocore finds nothing either")
        let error = await #expect(throws: CredentialsError.self) { _ = try await ours(setup, environmentName: "acc").credentials() }
        guard case .notFound(let environment, let tried) = error else {
            Issue.record("expected notFound, got \(String(describing: error))")
            return
        }
        #expect(environment == "acc")
        #expect(tried.count == 4)
        #expect(tried[0] == "environment variables")
        #expect(tried[1].hasPrefix("shared profile \"default\""))
        #expect(tried[2] == "container credentials")
        #expect(tried[3].hasPrefix("EC2 instance metadata"))
        let text = "\(error!)"
        #expect(text.hasPrefix("no AWS credentials found for environment acc; tried: environment variables, "))

        let call = await #expect(throws: AWSError.self) { _ = try await ours(setup, environmentName: "acc").ecs.listServices(cluster: "c") }
        #expect(call?.environment == "acc")
        #expect(call.map { "\($0)" }?.contains("tried: environment variables") == true)
    }

    @Test("a named profile that does not exist is an error, as in botocore")
    func missingProfile() async throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        let theirs = try await botocore(setup, profile: "nope")
        #expect(theirs.error == "ProfileNotFound")
        let error = await #expect(throws: CredentialsError.self) { _ = try await ours(setup, profile: "nope").credentials() }
        #expect(error.map { "\($0)" }?.contains("profile \"nope\" is in neither") == true)
    }
}
