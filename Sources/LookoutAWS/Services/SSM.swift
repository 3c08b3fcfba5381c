import Foundation

/// AWS Systems Manager Parameter Store (JSON 1.1, `AmazonSSM`). Parameter values come back as
/// ``SecretValue``: whatever their type, they are never printed.
public struct SSM: Sendable {
    let client: AWSClient
    static let service = AWSService.ssm

    // MARK: DescribeParameters

    /// `ParameterStringFilter`: e.g. key `Name` option `BeginsWith`, key `Path` option `Recursive`.
    public struct ParameterFilter: Sendable, Encodable {
        public var key: String
        public var option: String?
        public var values: [String]?

        public init(key: String, option: String? = nil, values: [String]? = nil) {
            self.key = key
            self.option = option
            self.values = values
        }
    }

    public struct ParameterMetadata: Sendable, Decodable, Equatable {
        public var name: String?
        public var arn: String?
        /// `String`, `StringList` or `SecureString`.
        public var type: String?
        public var keyId: String?
        public var lastModifiedDate: Date?
        public var lastModifiedUser: String?
        public var description: String?
        public var version: Int?
        public var tier: String?
        public var dataType: String?
    }

    public struct DescribeParametersPage: Sendable, Decodable {
        public var parameters: [ParameterMetadata]?
        public var nextToken: String?
    }

    public func describeParameters(
        filters: [ParameterFilter] = [], nextToken: String? = nil, maxResults: Int? = nil
    ) async throws(AWSError) -> DescribeParametersPage {
        struct Input: Encodable {
            var parameterFilters: [ParameterFilter]?
            var nextToken: String?
            var maxResults: Int?
        }
        return try await client.json(
            Self.service, "DescribeParameters",
            Input(parameterFilters: filters.isEmpty ? nil : filters, nextToken: nextToken, maxResults: maxResults))
    }

    /// Every page, each of AWS's most (50; its default is 10).
    public func describeAllParameters(filters: [ParameterFilter] = []) async throws(AWSError) -> [ParameterMetadata] {
        try await client.allPages(Self.service, "DescribeParameters") { token throws(AWSError) in
            let page = try await describeParameters(filters: filters, nextToken: token, maxResults: 50)
            return (page.parameters ?? [], page.nextToken)
        }
    }

    /// The metadata of the parameters `names` (a `Name Equals` filter, every page), asked with
    /// the bulkhead of ``AWSBulkhead``: a name whose answer cannot be read even alone is in
    /// `unreadable` with its error, and the other names are read. At most 50 names (AWS's limit
    /// for one filter's values).
    public func describeParameters(named names: [String]) async throws(AWSError)
        -> (found: [ParameterMetadata], unreadable: [(name: String, error: AWSError)])
    {
        var budget = AWSBulkhead.budget
        let parts = try await AWSBulkhead.run(names, budget: &budget) { (batch: [String]) async throws(AWSError) in
            try await describeAllParameters(filters: [ParameterFilter(key: "Name", option: "Equals", values: batch)])
        }
        return (parts.outputs.flatMap { $0 }, parts.alone.map { (name: $0.item, error: $0.error) })
    }

    // MARK: GetParameter

    public struct Parameter: Sendable, Decodable, Equatable {
        public var name: String?
        public var type: String?
        public var value: SecretValue?
        public var version: Int?
        public var selector: String?
        public var lastModifiedDate: Date?
        public var arn: String?
        public var dataType: String?
    }

    /// `name` may carry a selector: `/a/b:3` (a version) or `/a/b:current` (a label).
    public func getParameter(name: String, withDecryption: Bool = false) async throws(AWSError) -> Parameter {
        struct Input: Encodable {
            var name: String
            var withDecryption: Bool
        }
        struct Output: Decodable {
            var parameter: Parameter?
        }
        let output: Output = try await client.json(
            Self.service, "GetParameter", Input(name: name, withDecryption: withDecryption))
        guard let parameter = output.parameter else {
            throw client.error(Self.service, "GetParameter", .badResponse(status: 200, detail: "missing Parameter"))
        }
        return parameter
    }

    // MARK: GetParameterHistory

    public struct ParameterHistory: Sendable, Decodable, Equatable {
        public var name: String?
        public var type: String?
        public var keyId: String?
        public var lastModifiedDate: Date?
        public var lastModifiedUser: String?
        public var description: String?
        public var value: SecretValue?
        public var version: Int?
        public var labels: [String]?
        public var tier: String?
        public var dataType: String?
    }

    public struct ParameterHistoryPage: Sendable, Decodable {
        public var parameters: [ParameterHistory]?
        public var nextToken: String?
    }

    public func getParameterHistory(
        name: String, withDecryption: Bool = false, nextToken: String? = nil, maxResults: Int? = nil
    ) async throws(AWSError) -> ParameterHistoryPage {
        struct Input: Encodable {
            var name: String
            var withDecryption: Bool
            var nextToken: String?
            var maxResults: Int?
        }
        return try await client.json(
            Self.service, "GetParameterHistory",
            Input(name: name, withDecryption: withDecryption, nextToken: nextToken, maxResults: maxResults))
    }

    /// Every version of the parameter, oldest first, all pages.
    public func getFullParameterHistory(name: String, withDecryption: Bool = false) async throws(AWSError)
        -> [ParameterHistory]
    {
        try await client.allPages(Self.service, "GetParameterHistory") { token throws(AWSError) in
            let page = try await getParameterHistory(name: name, withDecryption: withDecryption, nextToken: token)
            return (page.parameters ?? [], page.nextToken)
        }
    }

    // MARK: PutParameter

    public struct PutParameterOutput: Sendable, Decodable, Equatable {
        public var version: Int?
        public var tier: String?
    }

    /// Writes a new version. With `overwrite: false` an existing name fails with `ParameterAlreadyExists`
    /// (what lookout's locks rely on).
    public func putParameter(
        name: String, value: SecretValue, type: String = "SecureString", overwrite: Bool = false,
        keyId: String? = nil, description: String? = nil
    ) async throws(AWSError) -> PutParameterOutput {
        struct Input: Encodable {
            var name: String
            var value: SecretValue
            var type: String
            var overwrite: Bool
            var keyId: String?
            var description: String?

            enum CodingKeys: String, CodingKey { case name, value, type, overwrite, keyId, description }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(name, forKey: .name)
                try container.encode(value.reveal(), forKey: .value)
                try container.encode(type, forKey: .type)
                try container.encode(overwrite, forKey: .overwrite)
                try container.encodeIfPresent(keyId, forKey: .keyId)
                try container.encodeIfPresent(description, forKey: .description)
            }
        }
        return try await client.json(
            Self.service, "PutParameter",
            Input(name: name, value: value, type: type, overwrite: overwrite, keyId: keyId, description: description),
            secrets: [value.reveal()])
    }

    // MARK: LabelParameterVersion

    public struct LabelParameterVersionOutput: Sendable, Decodable, Equatable {
        public var invalidLabels: [String]?
        public var parameterVersion: Int?
    }

    /// Moves `labels` to `version` (the latest when nil).
    public func labelParameterVersion(name: String, version: Int? = nil, labels: [String])
        async throws(AWSError) -> LabelParameterVersionOutput
    {
        struct Input: Encodable {
            var name: String
            var parameterVersion: Int?
            var labels: [String]
        }
        return try await client.json(
            Self.service, "LabelParameterVersion", Input(name: name, parameterVersion: version, labels: labels))
    }

    // MARK: DeleteParameter

    public func deleteParameter(name: String) async throws(AWSError) {
        struct Input: Encodable {
            var name: String
        }
        struct Output: Decodable {}
        let _: Output = try await client.json(Self.service, "DeleteParameter", Input(name: name))
    }
}
