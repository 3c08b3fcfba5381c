import Foundation

/// AWS STS (Query).
public struct STS: Sendable {
    let client: AWSClient
    static let service = AWSService.sts

    public struct CallerIdentity: Sendable, Equatable {
        public var userId: String
        public var account: String
        public var arn: String
    }

    public func getCallerIdentity() async throws(AWSError) -> CallerIdentity {
        let result = try await client.query(Self.service, "GetCallerIdentity", [])
        return try client.shape(Self.service, "GetCallerIdentity") { () throws(ShapeError) in
            CallerIdentity(
                userId: try result.string("UserId"), account: try result.string("Account"),
                arn: try result.string("Arn"))
        }
    }

    public struct AssumedRole: Sendable {
        public var credentials: Credentials
        public var assumedRoleArn: String
        public var assumedRoleId: String
    }

    public func assumeRole(
        roleArn: String, sessionName: String, durationSeconds: Int? = nil, externalId: String? = nil
    ) async throws(AWSError) -> AssumedRole {
        try await Self.assumeRole(
            roleArn: roleArn, sessionName: sessionName, durationSeconds: durationSeconds, externalId: externalId,
            using: client)
    }

    static func assumeRole(
        roleArn: String, sessionName: String, durationSeconds: Int?, externalId: String?, using client: AWSClient
    ) async throws(AWSError) -> AssumedRole {
        var parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        if let externalId { parameters.append(("ExternalId", externalId)) }
        let result = try await client.query(service, "AssumeRole", parameters)
        return try client.shape(service, "AssumeRole") { () throws(ShapeError) in
            guard let credentials = result.child("Credentials") else {
                throw ShapeError(description: "no <Credentials>")
            }
            guard let expiration = try credentials.optionalDate("Expiration") else {
                throw ShapeError(description: "no <Expiration>")
            }
            let user = result.child("AssumedRoleUser")
            return AssumedRole(
                credentials: Credentials(
                    accessKeyId: try credentials.string("AccessKeyId"),
                    secretAccessKey: SecretValue(try credentials.string("SecretAccessKey")),
                    sessionToken: SecretValue(try credentials.string("SessionToken")), expiration: expiration,
                    source: "assume role \(roleArn)"),
                assumedRoleArn: (try? user?.string("Arn")) ?? "",
                assumedRoleId: (try? user?.string("AssumedRoleId")) ?? "")
        }
    }
}
