import Foundation
import Synchronization
import Testing

@testable import LookoutAWS

/// Every operation and member name the client sends or reads, checked against botocore's models
/// (`data/<service>/<version>/service-2.json[.gz]` of the installed botocore).
///
/// Derived from the code where it can be: what is sent is recorded from the requests the client
/// builds (every optional parameter set; the recording transport sends nothing), and what JSON
/// services read from the `Decodable` types themselves (a decoder that answers every key and
/// records the keys asked for). What the XML protocols read goes through `XMLNode` lookups and is
/// listed in a table here, beside the code it mirrors.
@Suite("Shapes against botocore's models")
struct ShapeGuardTests {
    // MARK: The model

    struct Model {
        let json: [String: Any]
        var metadata: [String: Any] { json["metadata"] as? [String: Any] ?? [:] }
        var operations: [String: Any] { json["operations"] as? [String: Any] ?? [:] }
        var shapes: [String: Any] { json["shapes"] as? [String: Any] ?? [:] }

        func operation(_ name: String) -> [String: Any]? { operations[name] as? [String: Any] }

        func shapeName(of operation: String, _ side: String) -> String? {
            (self.operation(operation)?[side] as? [String: Any])?["shape"] as? String
        }

        /// Follows `path` (member names; lists and maps are stepped through) from `shape`. A step
        /// matches a member by its name, its `locationName`, or `matches` (for Swift's spelling).
        /// Returns nil when found, else what is missing.
        func missing(_ path: [String], from shape: String, matches: (String, String) -> Bool = { $0 == $1 }) -> String? {
            var current = shape
            for (index, step) in path.enumerated() {
                current = unwrap(current)
                guard let definition = shapes[current] as? [String: Any],
                    let members = definition["members"] as? [String: Any]
                else { return "\(path[..<index].joined(separator: ".")) (\(current)) is not a structure" }
                let found = members.first { name, value in
                    let location = (value as? [String: Any])?["locationName"] as? String
                    return name == step || location == step || matches(name, step)
                }
                guard let found, let next = (found.value as? [String: Any])?["shape"] as? String else {
                    return "\(current) has no member \(step)"
                }
                current = next
            }
            return nil
        }

        /// Through lists (and maps' values) to the element shape.
        func unwrap(_ shape: String) -> String {
            var current = shape
            while let definition = shapes[current] as? [String: Any] {
                if definition["type"] as? String == "list", let member = definition["member"] as? [String: Any],
                    let next = member["shape"] as? String
                {
                    current = next
                } else if definition["type"] as? String == "map", let value = definition["value"] as? [String: Any],
                    let next = value["shape"] as? String
                {
                    current = next
                } else {
                    break
                }
            }
            return current
        }
    }

    static func model(_ service: String, _ version: String) throws -> Model {
        let result = try runSync([python, supportDirectory + "/botocore_model.py", service, version])
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        else { throw TestSetupError(description: "botocore_model.py \(service): \(result.stderr)") }
        return Model(json: json)
    }

    /// The botocore data folder of each service the client speaks.
    static let models: [(AWSService, String)] = [
        (.ecs, "ecs"), (.ssm, "ssm"), (.acmPCA, "acm-pca"), (.autoScaling, "autoscaling"), (.sts, "sts"),
        (.cloudWatch, "cloudwatch"), (.route53, "route53"),
    ]

    // MARK: Recording what is sent

    final class RecordingTransport: HTTPTransport {
        let requests = Mutex<[HTTPRequest]>([])
        func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
            requests.withLock { $0.append(request) }
            throw TransportError(kind: .connect, detail: "recorded, not sent")
        }
        func withoutProxy() -> any HTTPTransport { self }
    }

    /// Calls every operation of the client, every optional parameter set, and returns the requests.
    static func recordedRequests() async -> [HTTPRequest] {
        let transport = RecordingTransport()
        let client = AWSClient(
            configuration: AWSConfiguration(environmentName: "shapes", region: "us-east-1",
                                            retry: RetryPolicy(maxAttempts: 1)),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKIDSHAPES", secretAccessKey: SecretValue("shapes-secret"), source: "test")),
            transport: transport)
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let metric = CloudWatch.Metric(namespace: "N", metricName: "M", dimensions: [.init(name: "D", value: "V")])
        // Each call fails at the transport, after the request was built.
        _ = try? await client.ecs.listServices(cluster: "c", nextToken: "t", maxResults: 5)
        _ = try? await client.ecs.describeServices(cluster: "c", services: ["s"])
        _ = try? await client.ecs.listTasks(
            cluster: "c", filter: .init(serviceName: "s", startedBy: "b", family: "f", desiredStatus: "RUNNING"),
            nextToken: "t", maxResults: 5)
        _ = try? await client.ecs.describeTasks(cluster: "c", tasks: ["t"])
        _ = try? await client.ecs.updateService(cluster: "c", service: "s", desiredCount: 1, forceNewDeployment: true)
        _ = try? await client.ssm.describeParameters(
            filters: [.init(key: "Name", option: "BeginsWith", values: ["/a"])], nextToken: "t", maxResults: 5)
        _ = try? await client.ssm.getParameter(name: "/a", withDecryption: true)
        _ = try? await client.ssm.getParameterHistory(name: "/a", withDecryption: true, nextToken: "t", maxResults: 5)
        _ = try? await client.ssm.putParameter(
            name: "/a", value: SecretValue("v"), overwrite: true, keyId: "k", description: "d")
        _ = try? await client.ssm.labelParameterVersion(name: "/a", version: 1, labels: ["l"])
        _ = try? await client.ssm.deleteParameter(name: "/a")
        _ = try? await client.acmPCA.describeCertificateAuthority(arn: "a")
        _ = try? await client.acmPCA.getCertificateAuthorityCertificate(arn: "a")
        _ = try? await client.acmPCA.issueCertificate(
            authorityArn: "a", csr: [1], signingAlgorithm: "SHA256WITHRSA", validity: .days(1), templateArn: "t",
            idempotencyToken: "i")
        _ = try? await client.acmPCA.getCertificate(authorityArn: "a", certificateArn: "c")
        _ = try? await client.acmPCA.revokeCertificate(authorityArn: "a", serial: "s")
        _ = try? await client.autoScaling.describeAutoScalingGroups(names: ["g"], nextToken: "t", maxRecords: 5)
        _ = try? await client.sts.getCallerIdentity()
        _ = try? await client.sts.assumeRole(roleArn: "r", sessionName: "s", durationSeconds: 900, externalId: "e")
        _ = try? await client.cloudWatch.listMetrics(
            namespace: "N", metricName: "M", dimensions: [.init(name: "D", value: "V")], recentlyActive: "PT3H",
            nextToken: "t")
        _ = try? await client.cloudWatch.getMetricStatistics(
            namespace: "N", metricName: "M", dimensions: metric.dimensions, startTime: date, endTime: date, period: 60,
            statistics: ["Sum"], unit: "Count")
        var math = CloudWatch.MetricDataQuery.expression(id: "e", "m * 2", label: "l", period: 60)
        math.returnData = true
        _ = try? await client.cloudWatch.getMetricData(
            queries: [.metric(id: "m", metric, period: 60, stat: "Sum", unit: "Count", label: "l"), math],
            startTime: date, endTime: date, scanBy: "TimestampAscending", maxDatapoints: 10, nextToken: "t")
        _ = try? await client.route53.listHealthChecks(marker: "m", maxItems: 5)
        _ = try? await client.route53.getHealthCheckStatus(id: "h")
        return transport.requests.withLock { $0 }
    }

    /// JSON body keys as member paths (`parameterFilters` → `ParameterFilters.Key`, …).
    static func jsonPaths(_ value: Any, _ prefix: [String] = []) -> [[String]] {
        if let object = value as? [String: Any] {
            return object.flatMap { key, child in [prefix + [key]] + jsonPaths(child, prefix + [key]) }
        }
        if let array = value as? [Any] { return array.flatMap { jsonPaths($0, prefix) } }
        return []
    }

    /// `MetricDataQueries.member.1.MetricStat.Period` → `MetricDataQueries.MetricStat.Period`.
    static func queryPath(_ key: String) -> [String] {
        key.split(separator: ".").map(String.init).filter { $0 != "member" && Int($0) == nil }
    }

    @Test("every request the client builds: operation, protocol metadata and every member sent are in the model")
    func sent() async throws {
        let requests = await Self.recordedRequests()
        #expect(requests.count == 24, "one request per call above")
        var checkedOperations: Set<String> = []
        var checkedMembers = 0
        for (service, folder) in Self.models {
            let model = try Self.model(folder, service.apiVersion)
            #expect(model.metadata["apiVersion"] as? String == service.apiVersion, "\(service)")
            #expect(model.metadata["endpointPrefix"] as? String == service.endpointPrefix, "\(service)")
            let signingName = model.metadata["signingName"] as? String ?? service.endpointPrefix
            #expect(signingName == service.signingName, "\(service)")
            let protocols = (model.metadata["protocols"] as? [String]) ?? [model.metadata["protocol"] as? String ?? ""]
            switch service.wire {
            case .json(let prefix):
                #expect(protocols.contains("json"), "\(service) speaks JSON")
                #expect(model.metadata["jsonVersion"] as? String == "1.1", "\(service)")
                #expect(model.metadata["targetPrefix"] as? String == prefix, "\(service)")
            case .query:
                #expect(protocols.contains("query"), "\(service) speaks Query")
            case .restXML:
                #expect(protocols.contains("rest-xml"), "\(service) speaks REST-XML")
            }
            let mine = requests.filter { request in
                let host = request.url.replacingOccurrences(of: "https://", with: "").split(separator: "/").first ?? ""
                return service.globalEndpoint.map { host == $0 } ?? host.hasPrefix(service.endpointPrefix + ".")
            }
            #expect(!mine.isEmpty, "\(service): the client sent something")
            for request in mine {
                var operation = ""
                var paths: [[String]] = []
                switch service.wire {
                case .json:
                    operation = String(request.headers.first { $0.name == "X-Amz-Target" }?.value
                        .split(separator: ".").last ?? "")
                    let body = try JSONSerialization.jsonObject(with: Data(request.body))
                    paths = Self.jsonPaths(body)
                case .query:
                    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
                        let key = String(pair.split(separator: "=").first ?? "").removingPercentEncoding ?? ""
                        let value = pair.split(separator: "=").dropFirst().first.map(String.init) ?? ""
                        if key == "Action" { operation = value } else if key != "Version" { paths.append(Self.queryPath(key)) }
                    }
                case .restXML:
                    // Route53: the operation from the request line, the query names as locationName.
                    let afterScheme = request.url.components(separatedBy: "://").last ?? ""
                    let path = "/" + (afterScheme.split(separator: "/", maxSplits: 1).last.map(String.init) ?? "")
                    let (route, query) = path.contains("?")
                        ? (String(path.split(separator: "?")[0]), String(path.split(separator: "?")[1])) : (path, "")
                    operation = route.hasSuffix("/status") ? "GetHealthCheckStatus" : "ListHealthChecks"
                    let http = model.operation(operation)?["http"] as? [String: Any]
                    let template = http?["requestUri"] as? String
                    let pattern = template?.replacingOccurrences(of: "{HealthCheckId}", with: "h")
                    #expect(pattern == route, "\(operation): \(route) is the model's \(template ?? "nothing")")
                    paths = query.split(separator: "&").map { [String($0.split(separator: "=")[0])] }
                }
                guard model.operation(operation) != nil else {
                    Issue.record("\(service): no operation \(operation) in botocore's model")
                    continue
                }
                checkedOperations.insert("\(service).\(operation)")
                let input = try #require(model.shapeName(of: operation, "input"), "\(operation) has an input")
                for path in paths {
                    checkedMembers += 1
                    if let missing = model.missing(path, from: input) {
                        Issue.record("\(service) \(operation) sends \(path.joined(separator: ".")): \(missing)")
                    }
                }
            }
        }
        #expect(checkedOperations.count == 24, "\(checkedOperations.sorted())")
        #expect(checkedMembers > 60)
        print("shapes: \(checkedOperations.count) operations, \(checkedMembers) member paths sent, checked against botocore's models")
        // The check can fail: a member the model does not have.
        let cloudWatch = try Self.model("cloudwatch", AWSService.cloudWatch.apiVersion)
        let input = try #require(cloudWatch.shapeName(of: "GetMetricData", "input"))
        #expect(cloudWatch.missing(["MetricDataQueries", "MetricStat", "Statistic"], from: input) != nil)
        #expect(cloudWatch.operation("GetMetricsData") == nil)
    }

    // MARK: What is read

    /// A decoder that answers every key with a placeholder and records the key paths asked for.
    final class KeyRecorder {
        var paths: [[String]] = []
    }

    struct ProbeDecoder: Decoder {
        let recorder: KeyRecorder
        let path: [String]
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<Key: CodingKey>(keyedBy _: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(ProbeKeyed<Key>(recorder: recorder, path: path))
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { ProbeUnkeyed(recorder: recorder, path: path) }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { ProbeSingle() }
    }

    struct ProbeKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: KeyRecorder
        let path: [String]
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func leaf<T>(_ key: Key, _ value: T) -> T {
            recorder.paths.append(path + [key.stringValue])
            return value
        }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { leaf(key, false) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { leaf(key, "") }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { leaf(key, 0) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { leaf(key, 0) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { leaf(key, 0) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { leaf(key, 0) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { leaf(key, 0) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { leaf(key, 0) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { leaf(key, 0) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { leaf(key, 0) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { leaf(key, 0) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { leaf(key, 0) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { leaf(key, 0) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { leaf(key, 0) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            recorder.paths.append(path + [key.stringValue])
            return try T(from: ProbeDecoder(recorder: recorder, path: path + [key.stringValue]))
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            KeyedDecodingContainer(ProbeKeyed<NestedKey>(recorder: recorder, path: path + [key.stringValue]))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            ProbeUnkeyed(recorder: recorder, path: path + [key.stringValue])
        }
        func superDecoder() throws -> any Decoder { ProbeDecoder(recorder: recorder, path: path) }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            ProbeDecoder(recorder: recorder, path: path + [key.stringValue])
        }
    }

    /// One element per list, decoded with the list's own path (lists are transparent in paths).
    struct ProbeUnkeyed: UnkeyedDecodingContainer {
        let recorder: KeyRecorder
        let path: [String]
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 1 }
        var currentIndex = 0
        var isAtEnd: Bool { currentIndex >= 1 }
        init(recorder: KeyRecorder, path: [String]) {
            self.recorder = recorder
            self.path = path
        }
        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            currentIndex += 1
            return try T(from: ProbeDecoder(recorder: recorder, path: path))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            currentIndex += 1
            return KeyedDecodingContainer(ProbeKeyed<NestedKey>(recorder: recorder, path: path))
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            currentIndex += 1
            return ProbeUnkeyed(recorder: recorder, path: path)
        }
        mutating func superDecoder() throws -> any Decoder { ProbeDecoder(recorder: recorder, path: path) }
    }

    struct ProbeSingle: SingleValueDecodingContainer {
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { false }
        func decode(_ type: Bool.Type) throws -> Bool { false }
        func decode(_ type: String.Type) throws -> String { "" }
        func decode(_ type: Double.Type) throws -> Double { 0 }
        func decode(_ type: Float.Type) throws -> Float { 0 }
        func decode(_ type: Int.Type) throws -> Int { 0 }
        func decode(_ type: Int8.Type) throws -> Int8 { 0 }
        func decode(_ type: Int16.Type) throws -> Int16 { 0 }
        func decode(_ type: Int32.Type) throws -> Int32 { 0 }
        func decode(_ type: Int64.Type) throws -> Int64 { 0 }
        func decode(_ type: UInt.Type) throws -> UInt { 0 }
        func decode(_ type: UInt8.Type) throws -> UInt8 { 0 }
        func decode(_ type: UInt16.Type) throws -> UInt16 { 0 }
        func decode(_ type: UInt32.Type) throws -> UInt32 { 0 }
        func decode(_ type: UInt64.Type) throws -> UInt64 { 0 }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            throw DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "the probe has no \(type)"))
        }
    }

    static func keys<T: Decodable>(of _: T.Type) throws -> [[String]] {
        let recorder = KeyRecorder()
        _ = try T(from: ProbeDecoder(recorder: recorder, path: []))
        return recorder.paths
    }

    /// What each JSON operation's answer is decoded into; `under` is the member a function-local
    /// wrapper reads first (`GetParameter` → `Parameter`), listed here as the code has it.
    static func jsonOutputs() throws -> [(AWSService, String, [[String]])] {
        func under(_ key: String, _ paths: [[String]]) -> [[String]] { [[key]] + paths.map { [key] + $0 } }
        return [
            (.ecs, "ListServices", try keys(of: ECS.ListServicesPage.self)),
            (.ecs, "DescribeServices", try keys(of: ECS.DescribeServicesOutput.self)),
            (.ecs, "ListTasks", try keys(of: ECS.ListTasksPage.self)),
            (.ecs, "DescribeTasks", try keys(of: ECS.DescribeTasksOutput.self)),
            (.ecs, "UpdateService", try keys(of: ECS.UpdateServiceOutput.self)),
            (.ssm, "DescribeParameters", try keys(of: SSM.DescribeParametersPage.self)),
            (.ssm, "GetParameter", under("parameter", try keys(of: SSM.Parameter.self))),
            (.ssm, "GetParameterHistory", try keys(of: SSM.ParameterHistoryPage.self)),
            (.ssm, "PutParameter", try keys(of: SSM.PutParameterOutput.self)),
            (.ssm, "LabelParameterVersion", try keys(of: SSM.LabelParameterVersionOutput.self)),
            (.acmPCA, "DescribeCertificateAuthority",
             under("certificateAuthority", try keys(of: ACMPCA.CertificateAuthority.self))),
            (.acmPCA, "GetCertificateAuthorityCertificate", try keys(of: ACMPCA.CertificateWithChain.self)),
            (.acmPCA, "IssueCertificate", [["certificateArn"]]),
            (.acmPCA, "GetCertificate", try keys(of: ACMPCA.CertificateWithChain.self)),
        ]
    }

    /// What the XML protocols read, as `AutoScaling.group(_:)`, `STS`, `CloudWatch` and `Route53`
    /// look the elements up (lists stepped through, as `members(_:)` and `children(_:)` do).
    static let xmlOutputs: [(AWSService, String, [String])] = [
        (.autoScaling, "DescribeAutoScalingGroups", [
            "NextToken", "AutoScalingGroups.AutoScalingGroupName", "AutoScalingGroups.AutoScalingGroupARN",
            "AutoScalingGroups.MinSize", "AutoScalingGroups.MaxSize", "AutoScalingGroups.DesiredCapacity",
            "AutoScalingGroups.DefaultCooldown", "AutoScalingGroups.AvailabilityZones",
            "AutoScalingGroups.HealthCheckType", "AutoScalingGroups.HealthCheckGracePeriod",
            "AutoScalingGroups.CreatedTime", "AutoScalingGroups.LaunchTemplate.LaunchTemplateName",
            "AutoScalingGroups.LaunchConfigurationName", "AutoScalingGroups.Status",
            "AutoScalingGroups.Instances.InstanceId", "AutoScalingGroups.Instances.InstanceType",
            "AutoScalingGroups.Instances.AvailabilityZone", "AutoScalingGroups.Instances.LifecycleState",
            "AutoScalingGroups.Instances.HealthStatus", "AutoScalingGroups.Instances.ProtectedFromScaleIn",
            "AutoScalingGroups.Tags.Key", "AutoScalingGroups.Tags.Value",
        ]),
        (.sts, "GetCallerIdentity", ["UserId", "Account", "Arn"]),
        (.sts, "AssumeRole", [
            "Credentials.AccessKeyId", "Credentials.SecretAccessKey", "Credentials.SessionToken",
            "Credentials.Expiration", "AssumedRoleUser.Arn", "AssumedRoleUser.AssumedRoleId",
        ]),
        (.cloudWatch, "ListMetrics", [
            "NextToken", "Metrics.Namespace", "Metrics.MetricName", "Metrics.Dimensions.Name", "Metrics.Dimensions.Value",
        ]),
        (.cloudWatch, "GetMetricStatistics", [
            "Label", "Datapoints.Timestamp", "Datapoints.SampleCount", "Datapoints.Average", "Datapoints.Sum",
            "Datapoints.Minimum", "Datapoints.Maximum", "Datapoints.Unit",
        ]),
        (.cloudWatch, "GetMetricData", [
            "NextToken", "MetricDataResults.Id", "MetricDataResults.Label", "MetricDataResults.Timestamps",
            "MetricDataResults.Values", "MetricDataResults.StatusCode",
        ]),
        (.route53, "ListHealthChecks", [
            "IsTruncated", "NextMarker", "HealthChecks.HealthCheck.Id", "HealthChecks.HealthCheck.CallerReference",
            "HealthChecks.HealthCheck.HealthCheckVersion", "HealthChecks.HealthCheck.HealthCheckConfig.Type",
            "HealthChecks.HealthCheck.HealthCheckConfig.FullyQualifiedDomainName",
            "HealthChecks.HealthCheck.HealthCheckConfig.IPAddress", "HealthChecks.HealthCheck.HealthCheckConfig.Port",
            "HealthChecks.HealthCheck.HealthCheckConfig.ResourcePath",
        ]),
        (.route53, "GetHealthCheckStatus", [
            "HealthCheckObservations.HealthCheckObservation.Region",
            "HealthCheckObservations.HealthCheckObservation.IPAddress",
            "HealthCheckObservations.HealthCheckObservation.StatusReport.Status",
            "HealthCheckObservations.HealthCheckObservation.StatusReport.CheckedTime",
        ]),
    ]

    @Test("every member the client reads from an answer is in the operation's output shape")
    func read() throws {
        var models: [String: Model] = [:]
        for (service, folder) in Self.models { models[service.name] = try Self.model(folder, service.apiVersion) }
        var checked = 0
        for (service, operation, paths) in try Self.jsonOutputs() {
            let model = try #require(models[service.name])
            let output = try #require(model.shapeName(of: operation, "output"), "\(service) \(operation) has an output")
            #expect(!paths.isEmpty, "\(operation): keys recorded")
            let pascal = JSONWire.pascalCase(service)
            for path in paths {
                checked += 1
                // The decoder maps the wire's PascalCase to these names (JSONWire.lowerFirstWord).
                if let missing = model.missing(path, from: output, matches: { name, key in
                    pascal && JSONWire.lowerFirstWord(name) == key
                }) {
                    Issue.record("\(service) \(operation) reads \(path.joined(separator: ".")): \(missing)")
                }
            }
        }
        for (service, operation, paths) in Self.xmlOutputs {
            let model = try #require(models[service.name])
            let output = try #require(model.shapeName(of: operation, "output"), "\(service) \(operation) has an output")
            for path in paths {
                checked += 1
                // A list member's locationName (<HealthCheck> in <HealthChecks>) is a step of its own.
                let steps = path.split(separator: ".").map(String.init)
                if let missing = model.missing(Self.withoutListElements(steps, model: model, from: output), from: output) {
                    Issue.record("\(service) \(operation) reads \(path): \(missing)")
                }
            }
        }
        #expect(checked > 150, "\(checked) member paths checked")
        print("shapes: \(checked) member paths read, checked against botocore's models")

        // The checks can fail: a misspelt member, a wrong list element, a wrong case.
        let autoScaling = try #require(models["autoscaling"])
        let groups = try #require(autoScaling.shapeName(of: "DescribeAutoScalingGroups", "output"))
        #expect(autoScaling.missing(["AutoScalingGroups", "AutoScalingGroupArn"], from: groups) != nil)
        let route53 = try #require(models["route53"])
        let list = try #require(route53.shapeName(of: "ListHealthChecks", "output"))
        let wrongElement = Self.withoutListElements(["HealthChecks", "HealthChecks", "Id"], model: route53, from: list)
        #expect(route53.missing(wrongElement, from: list) != nil)
        let ssm = try #require(models["ssm"])
        let parameter = try #require(ssm.shapeName(of: "GetParameter", "output"))
        #expect(ssm.missing(["parameter", "lastModified"], from: parameter, matches: { JSONWire.lowerFirstWord($0) == $1 }) != nil)
        #expect(ssm.missing(["parameter", "lastModifiedDate"], from: parameter, matches: { JSONWire.lowerFirstWord($0) == $1 }) == nil)
    }

    /// Drops a step that names the list member element of the step before it (REST-XML lists
    /// wrap each element: `<HealthChecks><HealthCheck>`), after checking it is that element's name.
    static func withoutListElements(_ steps: [String], model: Model, from shape: String) -> [String] {
        var kept: [String] = []
        var current = shape
        var index = 0
        while index < steps.count {
            let step = steps[index]
            kept.append(step)
            let definition = model.shapes[model.unwrap(current)] as? [String: Any]
            let member = (definition?["members"] as? [String: Any])?[step] as? [String: Any]
            let memberShape = member?["shape"] as? String ?? ""
            let list = model.shapes[memberShape] as? [String: Any]
            if list?["type"] as? String == "list", index + 1 < steps.count,
                let element = list?["member"] as? [String: Any],
                element["locationName"] as? String == steps[index + 1]
            {
                index += 1
            }
            current = memberShape
            index += 1
        }
        return kept
    }
}

/// Runs a command to completion (a synchronous test helper).
func runSync(_ arguments: [String]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: output, stderr: String(decoding: errors, as: UTF8.self))
}
