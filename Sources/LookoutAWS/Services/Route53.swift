import Foundation

/// Amazon Route 53 (REST-XML, global: signed for us-east-1), health checks only.
public struct Route53: Sendable {
    let client: AWSClient
    static let service = AWSService.route53

    public struct Observation: Sendable, Equatable {
        public var region: String?
        public var ipAddress: String?
        /// e.g. `Success: HTTP Status Code 200, OK` or `Failure: …`.
        public var status: String?
        public var checkedTime: Date?
    }

    public func getHealthCheckStatus(id: String) async throws(AWSError) -> [Observation] {
        let path = "/2013-04-01/healthcheck/\(Self.label(id))/status"
        let root = try await client.restXML(Self.service, "GetHealthCheckStatus", method: "GET", path: path)
        return try client.shape(Self.service, "GetHealthCheckStatus") { () throws(ShapeError) in
            guard let list = root.child("HealthCheckObservations") else {
                throw ShapeError(description: "no <HealthCheckObservations>")
            }
            var observations: [Observation] = []
            for node in list.children("HealthCheckObservation") {
                let report = node.child("StatusReport")
                observations.append(
                    Observation(
                        region: node.child("Region")?.text, ipAddress: node.child("IPAddress")?.text,
                        status: report?.child("Status")?.text, checkedTime: try report?.optionalDate("CheckedTime")))
            }
            return observations
        }
    }

    public struct HealthCheck: Sendable, Equatable {
        public var id: String
        public var callerReference: String?
        public var type: String
        public var fullyQualifiedDomainName: String?
        public var ipAddress: String?
        public var port: Int?
        public var resourcePath: String?
        public var version: Int?
    }

    public struct HealthChecksPage: Sendable {
        public var healthChecks: [HealthCheck]
        public var isTruncated: Bool
        public var nextMarker: String?
    }

    public func listHealthChecks(marker: String? = nil, maxItems: Int? = nil) async throws(AWSError) -> HealthChecksPage {
        var query: [String] = []
        if let marker { query.append("marker=\(FormEncoding.encode(marker))") }
        if let maxItems { query.append("maxitems=\(maxItems)") }
        let path = "/2013-04-01/healthcheck" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let root = try await client.restXML(Self.service, "ListHealthChecks", method: "GET", path: path)
        return try client.shape(Self.service, "ListHealthChecks") { () throws(ShapeError) in try Self.healthChecksPage(root) }
    }

    /// A `ListHealthChecksResponse`: the next marker counts only when `IsTruncated` is true.
    static func healthChecksPage(_ root: XMLNode) throws(ShapeError) -> HealthChecksPage {
        var checks: [HealthCheck] = []
        for node in root.child("HealthChecks")?.children("HealthCheck") ?? [] {
            let config = node.child("HealthCheckConfig")
            checks.append(
                HealthCheck(
                    id: try node.string("Id"), callerReference: node.child("CallerReference")?.text,
                    type: config?.child("Type")?.text ?? "",
                    fullyQualifiedDomainName: config?.child("FullyQualifiedDomainName")?.text,
                    ipAddress: config?.child("IPAddress")?.text, port: try config?.optionalInt("Port"),
                    resourcePath: config?.child("ResourcePath")?.text,
                    version: try node.optionalInt("HealthCheckVersion")))
        }
        let truncated = root.optionalBool("IsTruncated") ?? false
        let marker = truncated ? root.child("NextMarker")?.text : nil
        if truncated && (marker ?? "").isEmpty {
            throw ShapeError(description: "IsTruncated is true but there is no <NextMarker>")
        }
        return HealthChecksPage(healthChecks: checks, isTruncated: truncated, nextMarker: marker)
    }

    /// Every health check, following `NextMarker` while `IsTruncated`. (moto ignores `maxitems` and
    /// `marker` and answers everything on one page: the marker loop is tested on decoded pages.)
    public func listAllHealthChecks(pageSize: Int? = nil) async throws(AWSError) -> [HealthCheck] {
        try await client.allPages(Self.service, "ListHealthChecks") { marker throws(AWSError) in
            let page = try await listHealthChecks(marker: marker, maxItems: pageSize)
            return (page.healthChecks, page.nextMarker)
        }
    }

    /// A URI label, encoded as botocore does (everything but unreserved characters).
    static func label(_ text: String) -> String {
        FormEncoding.encode(text)
    }
}
