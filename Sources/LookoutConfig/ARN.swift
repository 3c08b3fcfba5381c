/// An Amazon Resource Name: `arn:partition:service:region:account:resource`.
public struct ARN: Sendable, Hashable, CustomStringConvertible {
    public let partition: String
    public let service: String
    public let region: String
    public let account: String
    public let resource: String

    /// Nil unless the text has the six parts of an ARN, a known partition and a 12-digit account
    /// (or none, as IAM-wide templates have).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn",
              ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"].contains(String(parts[1])),
              !parts[2].isEmpty, !parts[5].isEmpty,
              parts[4].isEmpty || (parts[4].count == 12 && parts[4].allSatisfy({ $0.isASCII && $0.isNumber }))
        else { return nil }
        partition = String(parts[1])
        service = String(parts[2])
        region = String(parts[3])
        account = String(parts[4])
        resource = String(parts[5])
    }

    public var description: String {
        "arn:\(partition):\(service):\(region):\(account):\(resource)"
    }
}
