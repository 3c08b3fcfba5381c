/// What the client needs to know about one AWS service, taken from botocore's
/// `data/<service>/<version>/service-2.json` metadata.
public struct AWSService: Sendable, Hashable, CustomStringConvertible {
    public enum WireProtocol: Sendable, Hashable {
        /// `application/x-amz-json-1.1`, operation in `X-Amz-Target: <prefix>.<Operation>`.
        case json(targetPrefix: String)
        /// Form-encoded `Action=…&Version=…`, XML answers wrapped in `<OperationResult>`.
        case query
        /// Operation in method and path, XML answers.
        case restXML
    }

    /// Short name used in errors, e.g. "ecs".
    public let name: String
    let endpointPrefix: String
    let signingName: String
    let apiVersion: String
    let wire: WireProtocol
    /// Set for global services (Route53): one host, signed for us-east-1.
    let globalEndpoint: String?

    public var description: String { name }

    public static let ecs = AWSService(
        name: "ecs", endpointPrefix: "ecs", signingName: "ecs", apiVersion: "2014-11-13",
        wire: .json(targetPrefix: "AmazonEC2ContainerServiceV20141113"), globalEndpoint: nil)
    public static let ssm = AWSService(
        name: "ssm", endpointPrefix: "ssm", signingName: "ssm", apiVersion: "2014-11-06",
        wire: .json(targetPrefix: "AmazonSSM"), globalEndpoint: nil)
    public static let acmPCA = AWSService(
        name: "acm-pca", endpointPrefix: "acm-pca", signingName: "acm-pca", apiVersion: "2017-08-22",
        wire: .json(targetPrefix: "ACMPrivateCA"), globalEndpoint: nil)
    public static let autoScaling = AWSService(
        name: "autoscaling", endpointPrefix: "autoscaling", signingName: "autoscaling", apiVersion: "2011-01-01",
        wire: .query, globalEndpoint: nil)
    public static let sts = AWSService(
        name: "sts", endpointPrefix: "sts", signingName: "sts", apiVersion: "2011-06-15", wire: .query,
        globalEndpoint: nil)
    public static let cloudWatch = AWSService(
        name: "cloudwatch", endpointPrefix: "monitoring", signingName: "monitoring", apiVersion: "2010-08-01",
        wire: .query, globalEndpoint: nil)
    public static let route53 = AWSService(
        name: "route53", endpointPrefix: "route53", signingName: "route53", apiVersion: "2013-04-01",
        wire: .restXML, globalEndpoint: "route53.amazonaws.com")

    /// The base URL (no trailing slash) and the region to sign for.
    func endpoint(region: String, override: String?) -> (url: String, signingRegion: String) {
        let signingRegion = globalEndpoint == nil ? region : "us-east-1"
        if let override {
            return (override.hasSuffix("/") ? String(override.dropLast()) : override, signingRegion)
        }
        if let globalEndpoint { return ("https://\(globalEndpoint)", signingRegion) }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return ("https://\(endpointPrefix).\(region).\(suffix)", signingRegion)
    }
}
