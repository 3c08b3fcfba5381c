import Foundation

/// The AWS client of one environment: typed operations per service (``ecs``, ``ssm``, ``acmPCA``,
/// ``autoScaling``, ``route53``, ``sts``, ``cloudWatch``), signed with the environment's credentials.
public final class AWSClient: Sendable {
    public let configuration: AWSConfiguration
    let caller: AWSCaller
    let credentialProvider: any CredentialProvider

    /// A client whose credentials come from the AWS CLI's chain (see ``CredentialChain``), read from
    /// `environment` (the process's by default), with `configuration.roleArn` assumed on top; its
    /// endpoint trusted as the AWS CLI trusts it (``CABundle``: `AWS_CA_BUNDLE`, the profile's `ca_bundle`).
    public convenience init(
        configuration: AWSConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        transport: (any HTTPTransport)? = nil
    ) {
        let transport = transport ?? CurlTransport(proxy: ProxySettings(environment: environment),
                                                   caFile: CABundle.path(profile: configuration.profile, environment: environment))
        let provider = CredentialChain.provider(for: configuration, environment: environment, transport: transport)
        self.init(configuration: configuration, credentials: provider, transport: transport)
    }

    public init(configuration: AWSConfiguration, credentials: any CredentialProvider, transport: any HTTPTransport) {
        self.configuration = configuration
        self.caller = AWSCaller(configuration: configuration, transport: transport)
        self.credentialProvider = credentials
    }

    /// The credentials the client signs with now (renewed when they are about to expire).
    public func credentials() async throws(CredentialsError) -> Credentials {
        try await credentialProvider.credentials()
    }

    /// Per service, what throttling did to this client's calls: throttles seen, calls that waited
    /// for a token, seconds waited, and the rate now allowed (0: not throttled yet).
    public var throttling: [String: (throttles: Int, delayed: Int, waited: Double, rate: Double)] {
        caller.limiters.figures
    }

    public var ecs: ECS { ECS(client: self) }
    public var ssm: SSM { SSM(client: self) }
    public var acmPCA: ACMPCA { ACMPCA(client: self) }
    public var autoScaling: AutoScaling { AutoScaling(client: self) }
    public var route53: Route53 { Route53(client: self) }
    public var sts: STS { STS(client: self) }
    public var cloudWatch: CloudWatch { CloudWatch(client: self) }

    func error(_ service: AWSService, _ operation: String, _ kind: AWSError.Kind) -> AWSError {
        AWSError(environment: configuration.environmentName, service: service.name, operation: operation, kind: kind)
    }

    // MARK: JSON 1.1

    func json<Output: Decodable>(
        _ service: AWSService, _ operation: String, _ input: some Encodable, as _: Output.Type = Output.self,
        secrets: [String] = []
    ) async throws(AWSError) -> Output {
        guard case .json(let targetPrefix) = service.wire else {
            throw error(service, operation, .invalidRequest("\(service.name) does not speak JSON"))
        }
        let body: Data
        do {
            body = try JSONWire.encoder(for: service).encode(input)
        } catch {
            throw self.error(service, operation, .invalidRequest("could not encode the request"))
        }
        let request = AWSCaller.WireRequest(
            headers: [
                ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "\(targetPrefix).\(operation)"),
            ],
            body: Array(body))
        let response = try await caller.send(
            service, operation, request, credentials: credentialProvider, secrets: secrets)
        do {
            let data = response.body.isEmpty ? Data("{}".utf8) : Data(response.body)
            return try JSONWire.decoder(for: service).decode(Output.self, from: data)
        } catch {
            throw self.error(
                service, operation, .badResponse(status: response.status, detail: JSONWire.describe(error)))
        }
    }

    // MARK: Query

    /// Sends `Action=operation` with `parameters` and returns the `<operationResult>` element.
    func query(_ service: AWSService, _ operation: String, _ parameters: [(String, String)])
        async throws(AWSError) -> XMLNode
    {
        let pairs = [("Action", operation), ("Version", service.apiVersion)] + parameters
        let body = pairs.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        let request = AWSCaller.WireRequest(
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: Array(body.utf8))
        let response = try await caller.send(service, operation, request, credentials: credentialProvider)
        let root = try parseXML(response, service, operation)
        guard let result = root.first(named: "\(operation)Result") ?? (root.name == "\(operation)Response" ? root : nil)
        else {
            throw error(service, operation, .badResponse(status: response.status, detail: "no \(operation)Result element"))
        }
        return result
    }

    // MARK: REST-XML

    func restXML(_ service: AWSService, _ operation: String, method: String, path: String)
        async throws(AWSError) -> XMLNode
    {
        let request = AWSCaller.WireRequest(method: method, path: path)
        let response = try await caller.send(service, operation, request, credentials: credentialProvider)
        return try parseXML(response, service, operation)
    }

    private func parseXML(_ response: HTTPResponse, _ service: AWSService, _ operation: String)
        throws(AWSError) -> XMLNode
    {
        do {
            return try XMLParser.parse(response.body)
        } catch {
            throw self.error(
                service, operation,
                .badResponse(status: response.status, detail: "not XML (\(error.reason) at byte \(error.offset))"))
        }
    }

    /// Maps a parsed answer to a typed value; a missing required element becomes `badResponse`.
    func shape<T>(_ service: AWSService, _ operation: String, _ build: () throws(ShapeError) -> T) throws(AWSError) -> T {
        do {
            return try build()
        } catch {
            throw self.error(service, operation, .badResponse(status: 200, detail: error.description))
        }
    }

    // MARK: Pagination

    /// Follows `next` tokens until the last page. A token seen twice is an error, not a loop.
    func allPages<Item>(
        _ service: AWSService, _ operation: String,
        _ page: (String?) async throws(AWSError) -> (items: [Item], next: String?)
    ) async throws(AWSError) -> [Item] {
        var items: [Item] = []
        var token: String?
        var seen: Set<String> = []
        var pages = 0
        repeat {
            // 10,000 pages is 100,000 parameters at SSM's 10 a page: a server that keeps
            // making new tokens stops here.
            pages += 1
            guard pages <= 10_000 else {
                throw error(service, operation, .badResponse(status: 200, detail: "more than 10,000 pages: stopped"))
            }
            let result = try await page(token)
            items += result.items
            token = result.next.flatMap { $0.isEmpty ? nil : $0 }
            if let token, !seen.insert(token).inserted {
                throw error(service, operation, .badResponse(status: 200, detail: "the same page token came back twice"))
            }
        } while token != nil
        return items
    }
}

/// A required element missing from an XML answer, or one that does not parse.
struct ShapeError: Error, CustomStringConvertible {
    var description: String
}

extension XMLNode {
    func string(_ name: String) throws(ShapeError) -> String {
        guard let value = child(name)?.text else { throw ShapeError(description: "<\(self.name)> has no <\(name)>") }
        return value
    }

    func optionalInt(_ name: String) throws(ShapeError) -> Int? {
        guard let text = child(name)?.text else { return nil }
        guard let value = Int(text.trimmingSpaces) else { throw ShapeError(description: "<\(name)> is not a number") }
        return value
    }

    func int(_ name: String) throws(ShapeError) -> Int {
        guard let value = try optionalInt(name) else { throw ShapeError(description: "<\(self.name)> has no <\(name)>") }
        return value
    }

    func optionalBool(_ name: String) -> Bool? {
        child(name).map { $0.text.trimmingSpaces == "true" }
    }

    func optionalDate(_ name: String) throws(ShapeError) -> Date? {
        guard let text = child(name)?.text else { return nil }
        guard let date = ISO8601.parse(text) else { throw ShapeError(description: "<\(name)> is not a time") }
        return date
    }
}

enum FormEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// JSON 1.1 encoding: ECS's members are camelCase already; SSM and ACM PCA use PascalCase, which
/// the coders map to and from Swift's camelCase (`ARN` ↔ `arn`, `KeyId` ↔ `keyId`).
enum JSONWire {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func pascalCase(_ service: AWSService) -> Bool {
        service != .ecs
    }

    static func encoder(for service: AWSService) -> JSONEncoder {
        let encoder = JSONEncoder()
        if pascalCase(service) {
            encoder.keyEncodingStrategy = .custom { path in
                let name = path.last!.stringValue
                return Key(stringValue: name.prefix(1).uppercased() + name.dropFirst())
            }
        }
        return encoder
    }

    static func decoder(for service: AWSService) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        if pascalCase(service) {
            decoder.keyDecodingStrategy = .custom { path in Key(stringValue: lowerFirstWord(path.last!.stringValue)) }
        }
        return decoder
    }

    /// `ARN` → `arn`, `CRLSign` → `crlSign`, `NotAfter` → `notAfter`.
    static func lowerFirstWord(_ name: String) -> String {
        let characters = Array(name)
        var upper = 0
        while upper < characters.count, characters[upper].isUppercase { upper += 1 }
        if upper == 0 { return name }
        let lowered = upper == characters.count || upper == 1 ? upper : upper - 1
        return String(characters[..<lowered]).lowercased() + String(characters[lowered...])
    }

    /// What went wrong, without quoting the answer (it may hold a secret).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "could not decode the answer" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue)"
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not a \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null, expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the answer is not valid JSON" : "\(path(context)) is malformed"
        @unknown default:
            return "could not decode the answer"
        }
    }
}
