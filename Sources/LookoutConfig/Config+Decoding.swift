import Foundation
import Yams

extension Config {
    /// Decodes and checks config text; every error names file, line, column and key path.
    /// - Parameters:
    ///   - file: the path the text was read from; relative paths inside resolve against its folder.
    ///   - home: the home folder, for `~` in paths.
    ///   - stateHome: `$XDG_STATE_HOME` or its default, for the default audit log.
    public static func decode(yaml text: String, file: String, home: String, stateHome: String) throws(ConfigError) -> Config {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "the file is empty; it needs at least `environments`")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            if case .duplicatedKeysInMapping(let duplicates, let context) = error,
               let located = DuplicateKey.locate(in: text, key: duplicates.first ?? "", firstMark: context.mark, file: file) {
                throw located
            }
            throw ConfigError(yamlError: error, file: file)
        } catch {
            throw ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "cannot read YAML: \(error)")
        }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let paths = PathResolver(folder: folder, home: home)
        let top = try ConfigValue(node: root, path: KeyPath(), file: file)
            .mapping(keys: ["refresh", "theme", "audit_log", "timeouts", "environments"])

        let refresh = try top.value("refresh")?.duration() ?? ConfigDuration(milliseconds: 10_000)
        var theme = try top.value("theme")?.string() ?? "default"
        if theme.contains("/") { theme = paths.resolve(theme) }
        let auditLog = try top.value("audit_log").map { value throws(ConfigError) in paths.resolve(try value.string()) }
            ?? stateHome + "/lookout/audit.jsonl"

        var timeouts = Timeouts()
        if let value = top.value("timeouts") {
            let map = try value.mapping(keys: ["source", "action", "action_poll"])
            timeouts.source = try map.value("source")?.duration() ?? timeouts.source
            timeouts.action = try map.value("action")?.duration() ?? timeouts.action
            timeouts.actionPoll = try map.value("action_poll")?.duration() ?? timeouts.actionPoll
        }

        let environmentsValue = try top.required("environments")
        let items = try environmentsValue.list()
        guard !items.isEmpty else { throw environmentsValue.error("at least one environment is needed") }
        var environments: [EnvironmentConfig] = []
        var seen: [String: Int] = [:]
        for item in items {
            var environment = try EnvironmentConfig.decode(item, paths: paths)
            environment.timeouts = timeouts
            if let first = seen[environment.name] {
                let name = try item.mapping(keys: EnvironmentConfig.keys).required("name")
                throw name.error("duplicate environment name `\(environment.name)`; environments[\(first)] has it already")
            }
            seen[environment.name] = environments.count
            environments.append(environment)
        }
        return Config(file: file, refresh: refresh, theme: theme, auditLog: auditLog, timeouts: timeouts, environments: environments)
    }
}

/// Resolves `~` and paths relative to the config file's folder.
struct PathResolver {
    let folder: String
    let home: String

    func resolve(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: folder, isDirectory: true)).standardizedFileURL.path
    }
}

extension ConfigError {
    init(yamlError: YamlError, file: String) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            self.init(file: file, line: mark.line, column: mark.column, keyPath: "", message: "YAML syntax: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            self.init(file: file, line: context.mark.line, column: context.mark.column, keyPath: duplicates.first ?? "",
                      message: "duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in one mapping")
        case .reader(let problem, _, _, _):
            self.init(file: file, line: 1, column: 1, keyPath: "", message: "cannot read the file as text: \(problem)")
        default:
            self.init(file: file, line: 1, column: 1, keyPath: "", message: "YAML: \(yamlError)")
        }
    }
}

extension EnvironmentConfig {
    static let keys = ["name", "protected", "read_only", "aws", "ecs", "autoscaling", "kafka", "certificates", "endpoints", "secrets"]

    static func decode(_ value: ConfigValue, paths: PathResolver) throws(ConfigError) -> EnvironmentConfig {
        let map = try value.mapping(keys: keys)
        let nameValue = try map.required("name")
        let name = try nameValue.string()
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw nameValue.error("an environment name may hold letters, digits, - and _ only")
        }
        let ecs = try map.value("ecs").map { v throws(ConfigError) in try ECSConfig.decode(v) }
        let environment = EnvironmentConfig(
            name: name,
            protected: try map.value("protected")?.bool() ?? false,
            readOnly: try map.value("read_only")?.bool() ?? false,
            aws: try AWSConfig.decode(try map.required("aws")),
            ecs: ecs,
            autoscaling: try map.value("autoscaling").map { v throws(ConfigError) in
                AutoScalingConfig(groups: try v.mapping(keys: ["groups"]).required("groups").strings())
            },
            kafka: try map.value("kafka").map { v throws(ConfigError) in try KafkaConfig.decode(v, paths: paths) },
            certificates: try map.value("certificates").map { v throws(ConfigError) in try CertificatesConfig.decode(v, ecs: ecs) },
            endpoints: try decodeList(map.value("endpoints"), uniqueBy: "name") { v throws(ConfigError) in try EndpointConfig.decode(v) },
            secrets: try decodeList(map.value("secrets"), uniqueBy: "name") { v throws(ConfigError) in try SecretConfig.decode(v, ecs: ecs) }
        )
        return environment
    }
}

/// Decodes a list of mappings whose `key` must be unique within the list.
func decodeList<T>(_ value: ConfigValue?, uniqueBy key: String, _ decode: (ConfigValue) throws(ConfigError) -> T) throws(ConfigError) -> [T] {
    guard let value else { return [] }
    var seen: Set<String> = []
    var result: [T] = []
    for item in try value.list() {
        let decoded = try decode(item)
        if case .mapping(let mapping) = item.node, let keyNode = mapping.first(where: { $0.key.string == key }) {
            let text = keyNode.value.string ?? ""
            if !seen.insert(text).inserted {
                throw ConfigValue(node: keyNode.value, path: item.path.appending(key), file: item.file)
                    .error("duplicate \(key) `\(text)` in this list")
            }
        }
        result.append(decoded)
    }
    return result
}

/// A `restart` list: the services must be among the environment's ECS services when those are listed.
func decodeRestart(_ value: ConfigValue?, ecs: ECSConfig?) throws(ConfigError) -> [String] {
    guard let value else { return [] }
    let names = try value.strings()
    guard !names.isEmpty else { return [] }
    guard let ecs else { throw value.error("services to restart need an `ecs` section in this environment") }
    if let services = ecs.services {
        for (index, name) in names.enumerated() where !services.contains(name) {
            throw try value.list()[index].error("`\(name)` is not among ecs.services (\(services.joined(separator: ", ")))")
        }
    }
    return names
}

extension AWSConfig {
    static func decode(_ value: ConfigValue) throws(ConfigError) -> AWSConfig {
        let map = try value.mapping(keys: ["region", "profile", "role_arn", "endpoint"])
        let regionValue = try map.required("region")
        let region = try regionValue.string()
        guard region.range(of: #"^[a-z]{2}(-[a-z]+)+-\d+$"#, options: .regularExpression) != nil else {
            throw regionValue.error("`\(region)` is not an AWS region name like eu-west-1")
        }
        var endpoint: URL?
        if let endpointValue = map.value("endpoint") {
            let text = try endpointValue.string()
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw endpointValue.error("`\(text)` is not an http(s) URL like http://127.0.0.1:5000")
            }
            endpoint = url
        }
        return AWSConfig(
            region: region,
            profile: try map.value("profile")?.string(),
            roleARN: try map.value("role_arn")?.arn(service: "iam"),
            endpoint: endpoint
        )
    }
}

extension ECSConfig {
    static func decode(_ value: ConfigValue) throws(ConfigError) -> ECSConfig {
        let map = try value.mapping(keys: ["cluster", "services", "brokers"])
        let services = try map.value("services")?.strings()
        var brokers: [String: Int] = [:]
        if let brokersValue = map.value("brokers") {
            guard case .mapping(let mapping) = brokersValue.node else {
                throw brokersValue.error("expected a mapping of service name to broker id")
            }
            for (keyNode, valueNode) in mapping {
                let service = try ConfigValue(node: keyNode, path: brokersValue.path, file: brokersValue.file).string()
                let entry = ConfigValue(node: valueNode, path: brokersValue.path.appending(service), file: brokersValue.file)
                if let services, !services.contains(service) {
                    throw ConfigValue(node: keyNode, path: entry.path, file: entry.file)
                        .error("`\(service)` is not among ecs.services (\(services.joined(separator: ", ")))")
                }
                brokers[service] = try entry.int(in: 0...Int(Int32.max))
            }
        }
        return ECSConfig(cluster: try map.required("cluster").string(), services: services, brokers: brokers)
    }
}

extension KafkaConfig {
    static func decode(_ value: ConfigValue, paths: PathResolver) throws(ConfigError) -> KafkaConfig {
        let map = try value.mapping(keys: ["bootstrap", "tls", "sasl", "lag"])
        let bootstrapValue = try map.required("bootstrap")
        var bootstrap: [Address] = []
        for item in try bootstrapValue.list() { bootstrap.append(try item.address()) }
        guard !bootstrap.isEmpty else { throw bootstrapValue.error("at least one bootstrap address is needed") }

        var tls: TLSConfig?
        if let tlsValue = map.value("tls") {
            let tlsMap = try tlsValue.mapping(keys: ["ca_file", "ca_pca", "client_cert_ssm", "client_key_ssm"])
            var caFile: String?
            if let caValue = tlsMap.value("ca_file") {
                let path = paths.resolve(try caValue.string())
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw caValue.error("cannot read the CA file \(path)")
                }
                caFile = path
            }
            let caPCA = try tlsMap.value("ca_pca")?.arn(service: "acm-pca")
            if caFile != nil, caPCA != nil {
                throw try tlsMap.required("ca_pca").error("give either ca_file or ca_pca, not both")
            }
            let cert = try tlsMap.value("client_cert_ssm")?.string()
            let key = try tlsMap.value("client_key_ssm")?.string()
            if (cert == nil) != (key == nil) {
                throw tlsValue.error("client_cert_ssm and client_key_ssm go together")
            }
            tls = TLSConfig(caFile: caFile, caPCA: caPCA, clientCertSSM: cert, clientKeySSM: key)
        }

        var sasl: SASLConfig?
        if let saslValue = map.value("sasl") {
            let saslMap = try saslValue.mapping(keys: ["mechanism", "username", "password_ssm"])
            let mechanismValue = try saslMap.required("mechanism")
            let text = try mechanismValue.string()
            guard let mechanism = SASLMechanism(rawValue: text.uppercased()) else {
                throw mechanismValue.error("unknown SASL mechanism `\(text)`; expected one of: \(SASLMechanism.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            sasl = SASLConfig(mechanism: mechanism, username: try saslMap.required("username").string(),
                              passwordSSM: try saslMap.required("password_ssm").string())
        }

        var lag = LagConfig()
        if let lagValue = map.value("lag") {
            let lagMap = try lagValue.mapping(keys: ["groups", "warn", "crit", "warn_seconds", "crit_seconds", "window", "min_samples", "allowance"])
            lag.groups = try lagMap.value("groups")?.strings() ?? ["*"]
            lag.warn = try lagMap.value("warn")?.int()
            lag.crit = try lagMap.value("crit")?.int()
            lag.warnSeconds = try lagMap.value("warn_seconds")?.int()
            lag.critSeconds = try lagMap.value("crit_seconds")?.int()
            lag.window = try lagMap.value("window")?.int(in: 2...1000) ?? lag.window
            lag.minSamples = try lagMap.value("min_samples")?.int(in: 2...1000) ?? lag.minSamples
            lag.allowance = try lagMap.value("allowance")?.int() ?? lag.allowance
            if let warn = lag.warn, let crit = lag.crit, crit < warn {
                throw try lagMap.required("crit").error("crit (\(crit)) is below warn (\(warn)); lag must pass warn before crit")
            }
            if let warn = lag.warnSeconds, let crit = lag.critSeconds, crit < warn {
                throw try lagMap.required("crit_seconds").error("crit_seconds (\(crit)) is below warn_seconds (\(warn))")
            }
            if lag.minSamples > lag.window {
                throw try lagMap.required("min_samples").error("min_samples (\(lag.minSamples)) is larger than window (\(lag.window))")
            }
        }
        return KafkaConfig(bootstrap: bootstrap, tls: tls, sasl: sasl, lag: lag)
    }
}

extension CertificatesConfig {
    static func decode(_ value: ConfigValue, ecs: ECSConfig?) throws(ConfigError) -> CertificatesConfig {
        let map = try value.mapping(keys: ["warn_days", "crit_days", "pca", "tracked"])
        var config = CertificatesConfig()
        config.warnDays = try map.value("warn_days")?.int(in: 1...3650) ?? config.warnDays
        config.critDays = try map.value("crit_days")?.int(in: 0...3650) ?? config.critDays
        if config.critDays > config.warnDays {
            let at: ConfigValue
            if let critValue = map.value("crit_days") { at = critValue } else { at = try map.required("warn_days") }
            throw at.error("crit_days (\(config.critDays)) is above warn_days (\(config.warnDays)); a certificate must warn before it is critical")
        }
        config.pca = try map.value("pca")?.arn(service: "acm-pca")
        config.tracked = try decodeList(map.value("tracked"), uniqueBy: "name") { item throws(ConfigError) in
            let entry = try item.mapping(keys: ["name", "common_name", "sans", "cert_ssm", "key_ssm", "restart"])
            return TrackedCertificateConfig(
                name: try entry.required("name").string(),
                commonName: try entry.required("common_name").string(),
                sans: try entry.value("sans")?.strings() ?? [],
                certSSM: try entry.required("cert_ssm").string(),
                keySSM: try entry.required("key_ssm").string(),
                restart: try decodeRestart(entry.value("restart"), ecs: ecs)
            )
        }
        return config
    }
}

extension EndpointConfig {
    static func decode(_ value: ConfigValue) throws(ConfigError) -> EndpointConfig {
        let map = try value.mapping(keys: ["name", "address", "tls", "kafka", "route53_health_check", "timeout", "warn_ms"])
        return EndpointConfig(
            name: try map.required("name").string(),
            address: try map.required("address").address(),
            tls: try map.value("tls")?.bool() ?? false,
            kafka: try map.value("kafka")?.bool() ?? false,
            route53HealthCheck: try map.value("route53_health_check")?.string(),
            timeout: try map.value("timeout")?.duration() ?? ConfigDuration(milliseconds: 5000),
            warnMs: try map.value("warn_ms")?.int(in: 1...3_600_000)
        )
    }
}

extension SecretConfig {
    static func decode(_ value: ConfigValue, ecs: ECSConfig?) throws(ConfigError) -> SecretConfig {
        let map = try value.mapping(keys: ["name", "ssm", "restart", "generate"])
        var generate = GenerateConfig()
        if let generateValue = map.value("generate") {
            let generateMap = try generateValue.mapping(keys: ["length", "alphabet"])
            generate.length = try generateMap.value("length")?.int(in: 8...4096) ?? generate.length
            if let alphabetValue = generateMap.value("alphabet") {
                let text = try alphabetValue.string()
                guard let alphabet = GenerateConfig.Alphabet(rawValue: text) else {
                    throw alphabetValue.error("unknown alphabet `\(text)`; expected one of: \(GenerateConfig.Alphabet.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                generate.alphabet = alphabet
            }
        }
        return SecretConfig(
            name: try map.required("name").string(),
            ssm: try map.required("ssm").string(),
            restart: try decodeRestart(map.value("restart"), ecs: ecs),
            generate: generate
        )
    }
}

/// Yams reports a duplicate key before any tree exists, at the key's first occurrence and without
/// its path. To name the path and the repeated occurrence, the first occurrence is renamed to a
/// placeholder, the text composed again, and both keys found in the tree.
enum DuplicateKey {
    static func locate(in text: String, key: String, firstMark: Mark, file: String) -> ConfigError? {
        let placeholder = "lookout-duplicate-key-placeholder"
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, firstMark.line >= 1, firstMark.line <= lines.count else { return nil }
        let line = lines[firstMark.line - 1]
        let start = line.unicodeScalars.index(line.unicodeScalars.startIndex, offsetBy: firstMark.column - 1,
                                              limitedBy: line.unicodeScalars.endIndex)
        guard let start, line.unicodeScalars[start...].starts(with: key.unicodeScalars) else { return nil }
        let end = line.unicodeScalars.index(start, offsetBy: key.unicodeScalars.count)
        lines[firstMark.line - 1] = String(line.unicodeScalars[..<start]) + placeholder + String(line.unicodeScalars[end...])
        guard let root = try? Yams.compose(yaml: lines.joined(separator: "\n")),
              let (path, mapping) = find(placeholder, in: root, path: KeyPath()) else { return nil }
        guard let repeated = mapping.first(where: { $0.key.string == key }), let mark = repeated.key.mark else { return nil }
        return ConfigError(file: file, line: mark.line, column: mark.column, keyPath: path.appending(key).description,
                           message: "duplicate key `\(key)` in one mapping; line \(firstMark.line) has it already")
    }

    /// The mapping holding `key`, with its path.
    private static func find(_ key: String, in node: Node, path: KeyPath) -> (KeyPath, Node.Mapping)? {
        switch node {
        case .mapping(let mapping):
            if mapping.contains(where: { $0.key.string == key }) { return (path, mapping) }
            for (name, value) in mapping {
                if let found = find(key, in: value, path: path.appending(name.string ?? "?")) { return found }
            }
        case .sequence(let sequence):
            for (index, item) in sequence.enumerated() {
                if let found = find(key, in: item, path: path.appending(index: index)) { return found }
            }
        default:
            break
        }
        return nil
    }
}
