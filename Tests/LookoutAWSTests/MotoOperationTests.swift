import Crypto
import Foundation
import Synchronization
import Testing

@testable import LookoutAWS

/// Every typed operation against a moto_server of the test run's own, seeded with boto3.
@Suite("Operations against moto_server")
struct MotoOperationTests {
    @Test("ECS: ListServices over every page, DescribeServices in chunks of 10, ListTasks, DescribeTasks")
    func ecs() async throws {
        let (moto, seed) = try await SharedMoto.shared.get()
        let ecs = moto.client().ecs
        var pages = 0
        var arns: [String] = []
        var token: String?
        repeat {
            let page = try await ecs.listServices(cluster: seed.ecs.cluster, nextToken: token, maxResults: 5)
            pages += 1
            arns += page.serviceArns ?? []
            token = page.nextToken
        } while token != nil
        // moto answers all 12 on one page whatever maxResults says (boto3 sees the same).
        #expect(pages >= 1)
        let all = try await ecs.listAllServices(cluster: seed.ecs.cluster)
        #expect(Set(all) == Set(arns))
        #expect(all.count == 12)

        let described = try await ecs.describeAllServices(cluster: seed.ecs.cluster, services: seed.ecs.services)
        #expect(described.services?.compactMap(\.serviceName).sorted() == seed.ecs.services)
        #expect(described.services?.allSatisfy { $0.status == "ACTIVE" } == true)
        #expect(described.services?.first { $0.serviceName == "svc-00" }?.desiredCount == 1)
        let primary = try #require(described.services?.first?.deployments?.first)
        #expect(primary.status == "PRIMARY")
        #expect(primary.createdAt != nil)

        let missing = try await ecs.describeServices(cluster: seed.ecs.cluster, services: ["nope"])
        #expect(missing.failures?.first?.reason == "MISSING")

        let taskArns = try await ecs.listAllTasks(cluster: seed.ecs.cluster)
        #expect(taskArns.sorted() == seed.ecs.tasks)
        let tasks = try await ecs.describeAllTasks(cluster: seed.ecs.cluster, tasks: taskArns)
        #expect(tasks.tasks?.count == seed.ecs.tasks.count)
        #expect(tasks.tasks?.allSatisfy { $0.group == "service:svc-00" && $0.startedBy == "ecs-svc/seed" } == true)
    }

    @Test("ECS: UpdateService forceNewDeployment and desiredCount")
    func updateService() async throws {
        let (moto, seed) = try await SharedMoto.shared.get()
        let ecs = moto.client().ecs
        let before = try await ecs.describeServices(cluster: seed.ecs.cluster, services: ["svc-11"])
        let updated = try await ecs.updateService(
            cluster: seed.ecs.cluster, service: "svc-11", desiredCount: 2, forceNewDeployment: true)
        #expect(updated.service?.desiredCount == 2)
        let oldId = before.services?.first?.deployments?.first?.id
        #expect(updated.service?.deployments?.first?.id != nil)
        #expect(updated.service?.deployments?.first?.id != oldId, "forceNewDeployment makes a new deployment id")
        let error = await #expect(throws: AWSError.self) {
            _ = try await ecs.updateService(cluster: seed.ecs.cluster, service: "no-such-service", desiredCount: 1)
        }
        #expect(error?.code == "ServiceNotFoundException")
        #expect(error?.service == "ecs")
        #expect(error?.operation == "UpdateService")
        #expect(error?.environment == "moto")
        #expect(error?.attempts == 1, "not retried")
    }

    @Test("Auto Scaling: DescribeAutoScalingGroups, every page, instances")
    func autoScaling() async throws {
        let (moto, seed) = try await SharedMoto.shared.get()
        let autoScaling = moto.client().autoScaling
        var pages = 0
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await autoScaling.describeAutoScalingGroups(nextToken: token, maxRecords: 1)
            pages += 1
            names += page.groups.map(\.name)
            token = page.nextToken
        } while token != nil
        #expect(pages == 3)
        #expect(names.sorted() == seed.autoscaling.groups.map(\.name))
        let all = try await autoScaling.describeAllAutoScalingGroups(names: ["kafka-asg-2"])
        let group = try #require(all.first)
        #expect(group.desiredCapacity == 3)
        #expect(group.minSize == 1 && group.maxSize == 5)
        #expect(group.launchTemplateName == "kafka-lt")
        #expect(group.instances.map(\.instanceId).sorted() == seed.autoscaling.instances)
        #expect(group.instances.allSatisfy { $0.lifecycleState == "InService" && $0.healthStatus == "Healthy" })
        #expect(group.createdTime != nil)
    }

    @Test("Auto Scaling: describeAllAutoScalingGroups over 3 pages of 3 (7 groups), the pages boto3's paginator gets")
    func autoScalingPages() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        let region = "us-west-2"  // a region of its own: the seed's groups are in us-east-1
        let made = try await run([python, supportDirectory + "/asg_pages.py", moto.endpoint, region, "7", "3"])
        try #require(made.status == 0, "asg_pages.py: \(made.stderr)")
        struct Pages: Decodable { var pages: [[String]] }
        let boto3 = try JSONDecoder().decode(Pages.self, from: made.stdout)
        #expect(boto3.pages.map(\.count) == [3, 3, 1])

        let transport = CountingTransport()
        let client = AWSClient(
            configuration: AWSConfiguration(environmentName: "pages", region: region, endpoint: moto.endpoint),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKIDPAGES", secretAccessKey: SecretValue("pages-secret"), source: "test")),
            transport: transport)
        let all = try await client.autoScaling.describeAllAutoScalingGroups(pageSize: 3)
        #expect(all.map(\.name) == boto3.pages.flatMap { $0 }, "the same groups in the same order")
        let sent = transport.bodies
        #expect(sent.count == boto3.pages.count, "one request per page: \(sent.count)")
        #expect(sent.allSatisfy { $0.contains("MaxRecords=3") })
        #expect(sent.filter { $0.contains("NextToken=") }.count == boto3.pages.count - 1)

        var mine: [[String]] = []
        var token: String?
        repeat {
            let page = try await client.autoScaling.describeAutoScalingGroups(nextToken: token, maxRecords: 3)
            mine.append(page.groups.map(\.name))
            token = page.nextToken
        } while token != nil
        #expect(mine == boto3.pages, "page by page")
    }

    @Test("SSM: SecureString with and without decryption, history over pages, filters")
    func ssmRead() async throws {
        let (moto, seed) = try await SharedMoto.shared.get()
        let ssm = moto.client().ssm
        let decrypted = try await ssm.getParameter(name: seed.ssm.secure, withDecryption: true)
        #expect(decrypted.type == "SecureString")
        let digest = SHA256.hash(data: Array((decrypted.value?.reveal() ?? "").utf8)).map { String(format: "%02x", $0) }
            .joined()
        #expect(digest == seed.ssm.secure_sha256, "the decrypted value is the one seeded")
        #expect(decrypted.version == 1)
        #expect(decrypted.lastModifiedDate != nil)
        #expect(decrypted.arn?.hasPrefix("arn:aws:ssm:") == true)
        let encrypted = try await ssm.getParameter(name: seed.ssm.secure)
        let unreadable = encrypted.value?.reveal().hasPrefix("kms:") == true
        #expect(unreadable, "without decryption moto answers kms:<key>:<value>")

        let history = try await ssm.getFullParameterHistory(name: seed.ssm.history)
        #expect(history.count == seed.ssm.history_versions, "more than one page of 50")
        #expect(history.compactMap(\.version) == Array(1...seed.ssm.history_versions))
        let byVersion = try await ssm.getParameter(name: seed.ssm.history + ":3")
        #expect(byVersion.value == SecretValue("v4"))

        let filtered = try await ssm.describeAllParameters(filters: [
            SSM.ParameterFilter(key: "Name", option: "BeginsWith", values: [seed.ssm.many_prefix])
        ])
        #expect(filtered.count == seed.ssm.many)
        let page = try await ssm.describeParameters(
            filters: [SSM.ParameterFilter(key: "Name", option: "BeginsWith", values: [seed.ssm.many_prefix])],
            maxResults: 10)
        #expect(page.parameters?.count == 10)
        #expect(page.nextToken != nil)
    }

    @Test("SSM: PutParameter, Overwrite, labels, delete, typed errors")
    func ssmWrite() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        let ssm = moto.client().ssm
        let name = "/lookout/test/\(UUID().uuidString)"
        let first = try await ssm.putParameter(name: name, value: SecretValue("first-value-1"))
        #expect(first.version == 1)
        let refused = await #expect(throws: AWSError.self) {
            _ = try await ssm.putParameter(name: name, value: SecretValue("second-value-2"))
        }
        #expect(refused?.code == "ParameterAlreadyExists")
        let quoted = refused.map { $0.description.contains("second-value-2") } ?? false
        #expect(!quoted)
        let second = try await ssm.putParameter(name: name, value: SecretValue("second-value-2"), overwrite: true)
        #expect(second.version == 2)
        let labelled = try await ssm.labelParameterVersion(name: name, version: 1, labels: ["previous"])
        #expect(labelled.invalidLabels ?? [] == [])
        _ = try await ssm.labelParameterVersion(name: name, version: 2, labels: ["current"])
        // SecretValue's own == : a failure shows <redacted>, never the values.
        #expect(try await ssm.getParameter(name: name + ":previous", withDecryption: true).value == SecretValue("first-value-1"))
        #expect(try await ssm.getParameter(name: name + ":current", withDecryption: true).value == SecretValue("second-value-2"))
        let history = try await ssm.getFullParameterHistory(name: name)
        #expect(history.map { $0.labels ?? [] } == [["previous"], ["current"]])
        try await ssm.deleteParameter(name: name)
        let gone = await #expect(throws: AWSError.self) { _ = try await ssm.getParameter(name: name) }
        #expect(gone?.code == "ParameterNotFound")
        #expect(gone?.attempts == 1)
    }

    @Test("ACM PCA: describe, CA certificate, issue, get, revoke")
    func pca() async throws {
        let (moto, seed) = try await SharedMoto.shared.get()
        let pca = moto.client().acmPCA
        let authority = try await pca.describeCertificateAuthority(arn: seed.pca.arn)
        #expect(authority.status == "ACTIVE")
        #expect(authority.type == "ROOT")
        #expect(authority.certificateAuthorityConfiguration?.subject?.commonName == "lookout test root")
        #expect(authority.notAfter != nil)
        let caCertificate = try await pca.getCertificateAuthorityCertificate(arn: seed.pca.arn)
        #expect(caCertificate.certificate?.trimmingCharacters(in: .whitespacesAndNewlines)
            == seed.pca.certificate.trimmingCharacters(in: .whitespacesAndNewlines))

        let directory = NSTemporaryDirectory() + "lookout-csr-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try await run([
            "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=broker.kafka.test.internal",
            "-keyout", directory + "/key.pem", "-out", directory + "/csr.pem",
        ])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        let csr = try Data(contentsOf: URL(fileURLWithPath: directory + "/csr.pem"))
        let certificateArn = try await pca.issueCertificate(
            authorityArn: seed.pca.arn, csr: Array(csr), signingAlgorithm: "SHA256WITHRSA", validity: .days(30),
            idempotencyToken: "lookout-test")
        #expect(certificateArn.hasPrefix(seed.pca.arn))
        let issued = try await pca.getCertificate(authorityArn: seed.pca.arn, certificateArn: certificateArn)
        let pem = try #require(issued.certificate)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        try pem.write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        let serialOutput = try await run(["openssl", "x509", "-in", directory + "/cert.pem", "-noout", "-serial"])
        let serialHex = serialOutput.output.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "serial=", with: "").lowercased()
        var serial = ""
        for (index, character) in serialHex.enumerated() {
            if index > 0 && index % 2 == 0 { serial += ":" }
            serial.append(character)
        }
        try await pca.revokeCertificate(authorityArn: seed.pca.arn, serial: serial, reason: "SUPERSEDED")
        let unknown = await #expect(throws: AWSError.self) {
            _ = try await pca.describeCertificateAuthority(arn: seed.pca.arn + "0")
        }
        #expect(unknown?.code == "ResourceNotFoundException")
    }

    @Test("Route53: ListHealthChecks over every page, GetHealthCheckStatus, NoSuchHealthCheck")
    func route53() async throws {
        let (moto, seed) = try await SharedMoto.shared.get()
        let route53 = moto.client().route53
        var pages = 0
        var ids: [String] = []
        var marker: String?
        repeat {
            let page = try await route53.listHealthChecks(marker: marker, maxItems: 3)
            pages += 1
            ids += page.healthChecks.map(\.id)
            marker = page.nextMarker
        } while marker != nil
        // moto ignores maxitems (boto3 sees one page too); the marker loop ends on IsTruncated false.
        #expect(pages >= 1)
        #expect(ids.sorted() == seed.route53.health_checks)
        let all = try await route53.listAllHealthChecks()
        #expect(all.map(\.id).sorted() == seed.route53.health_checks)
        #expect(all.allSatisfy { $0.type == "TCP" && $0.ipAddress == "127.0.0.1" })
        let observations = try await route53.getHealthCheckStatus(id: seed.route53.health_checks[0])
        #expect(!observations.isEmpty)
        #expect(observations.first?.status?.hasPrefix("Success") == true)
        let missing = await #expect(throws: AWSError.self) {
            _ = try await route53.getHealthCheckStatus(id: "00000000-0000-0000-0000-000000000000")
        }
        #expect(missing?.code == "NoSuchHealthCheck")
        #expect(missing?.service == "route53")
    }

    @Test("STS: GetCallerIdentity and AssumeRole (Query)")
    func sts() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        let sts = moto.client().sts
        let identity = try await sts.getCallerIdentity()
        #expect(identity.account == "123456789012")
        let assumed = try await sts.assumeRole(
            roleArn: "arn:aws:iam::111111111111:role/lookout", sessionName: "lookout-test", durationSeconds: 900)
        #expect(assumed.credentials.accessKeyId.hasPrefix("ASIA"))
        #expect(assumed.credentials.sessionToken != nil)
        #expect(assumed.credentials.expiration != nil)
        #expect(assumed.assumedRoleArn == "arn:aws:sts::111111111111:assumed-role/lookout/lookout-test")
        let roleClient = AWSClient(
            configuration: AWSConfiguration(environmentName: "moto", region: moto.region, endpoint: moto.endpoint),
            credentials: StaticCredentialProvider(assumed.credentials), transport: CurlTransport(proxy: ProxySettings()))
        #expect(try await roleClient.sts.getCallerIdentity().account == "111111111111")
    }

    struct CloudWatchSeed: Decodable {
        struct Metric: Decodable, Hashable {
            var namespace: String
            var name: String
            var dimensions: [[String]]
        }
        struct Datapoint: Decodable {
            var timestamp: String
            var sample_count: Double?
            var average: Double?
            var sum: Double?
            var minimum: Double?
            var maximum: Double?
            var unit: String?
        }
        struct DataResult: Decodable {
            var id: String
            var label: String?
            var timestamps: [String]
            var values: [Double]
            var status_code: String?
        }
        var namespace: String
        var start: String
        var end: String
        var list_pages: Int
        var metrics: [Metric]
        var statistics_label: String?
        var datapoints: [Datapoint]
        var data_pages: Int
        var metric_data: [DataResult]
    }

    @Test("CloudWatch (Query): ListMetrics over 3 pages, GetMetricStatistics, GetMetricData, as boto3 reads them")
    func cloudWatch() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        let namespace = "Lookout/\(UUID().uuidString.prefix(8))"
        let seeded = try await run([python, supportDirectory + "/cloudwatch_seed.py", moto.endpoint, moto.region, namespace])
        try #require(seeded.status == 0, "cloudwatch_seed.py: \(seeded.stderr)")
        let boto3 = try JSONDecoder().decode(CloudWatchSeed.self, from: seeded.stdout)
        let cloudWatch = moto.client().cloudWatch

        // ListMetrics: moto, like AWS, answers at most 500 a page; 1,101 metrics are 3 pages.
        var pages = 0
        var metrics: [CloudWatch.Metric] = []
        var token: String?
        repeat {
            let page = try await cloudWatch.listMetrics(namespace: namespace, nextToken: token)
            pages += 1
            #expect(page.metrics.count <= 500)
            metrics += page.metrics
            token = page.nextToken
        } while token != nil
        #expect(boto3.list_pages == 3)
        #expect(pages == boto3.list_pages, "as many pages as boto3's paginator")
        #expect(metrics.count == 1101)
        let mine = Set(metrics.map { CloudWatchSeed.Metric(
            namespace: $0.namespace, name: $0.metricName, dimensions: $0.dimensions.map { [$0.name, $0.value] }) })
        #expect(mine == Set(boto3.metrics), "the same metrics as boto3")
        let all = try await cloudWatch.listAllMetrics(namespace: namespace)
        #expect(all.count == 1101)
        let filtered = try await cloudWatch.listAllMetrics(
            namespace: namespace, metricName: "Lag", dimensions: [.init(name: "Group", value: "orders")])
        #expect(filtered == [CloudWatch.Metric(namespace: namespace, metricName: "Lag",
                                               dimensions: [.init(name: "Group", value: "orders")])])

        let start = try #require(ISO8601.parse(boto3.start))
        let end = try #require(ISO8601.parse(boto3.end))
        let dimensions = [CloudWatch.Dimension(name: "Group", value: "orders")]
        let statistics = try await cloudWatch.getMetricStatistics(
            namespace: namespace, metricName: "Lag", dimensions: dimensions, startTime: start, endTime: end, period: 60,
            statistics: ["SampleCount", "Average", "Sum", "Minimum", "Maximum"])
        #expect(statistics.label == boto3.statistics_label)
        let points = statistics.datapoints.sorted { $0.timestamp < $1.timestamp }
        #expect(points.count == 10)
        #expect(points.count == boto3.datapoints.count)
        for (ours, theirs) in zip(points, boto3.datapoints) {
            #expect(ISO8601.format(ours.timestamp) == theirs.timestamp)
            #expect(ours.sampleCount == theirs.sample_count && ours.average == theirs.average && ours.sum == theirs.sum,
                    "\(theirs.timestamp)")
            #expect(ours.minimum == theirs.minimum && ours.maximum == theirs.maximum && ours.unit == theirs.unit,
                    "\(theirs.timestamp)")
        }
        #expect(points.contains { $0.sampleCount == 2 }, "minutes with two samples are aggregated")

        let metric = CloudWatch.Metric(namespace: namespace, metricName: "Lag", dimensions: dimensions)
        let data = try await cloudWatch.getAllMetricData(
            queries: [
                .metric(id: "lagsum", metric, period: 60, stat: "Sum"),
                .metric(id: "lagmax", metric, period: 120, stat: "Maximum", label: "lag max"),
            ],
            startTime: start, endTime: end, scanBy: "TimestampAscending")
        #expect(data.map(\.id) == boto3.metric_data.map(\.id))
        for (ours, theirs) in zip(data, boto3.metric_data) {
            #expect(ours.label == theirs.label, "\(theirs.id)")
            #expect(ours.timestamps.map(ISO8601.format) == theirs.timestamps, "\(theirs.id)")
            #expect(ours.values == theirs.values, "\(theirs.id)")
            #expect(ours.statusCode == theirs.status_code, "\(theirs.id)")
        }
        #expect(data.first?.values.count == 10)

        let refused = await #expect(throws: AWSError.self) {
            _ = try await cloudWatch.getMetricStatistics(
                namespace: namespace, metricName: "Lag", startTime: end, endTime: start, period: 60, statistics: ["Sum"])
        }
        #expect(refused?.service == "cloudwatch")
        #expect(refused?.operation == "GetMetricStatistics")
        #expect(refused?.code == "InvalidParameterValue")
        #expect(refused?.attempts == 1, "a client error is not retried")
    }

    @Test("a transport failure names environment, service and operation")
    func refused() async throws {
        let port = freePort()
        let client = AWSClient(
            configuration: AWSConfiguration(environmentName: "prod", region: "eu-west-1", endpoint: "http://127.0.0.1:\(port)"),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKID", secretAccessKey: SecretValue("refused-secret"), source: "test")),
            transport: CurlTransport(proxy: ProxySettings()))
        let error = await #expect(throws: AWSError.self) { _ = try await client.ecs.listServices(cluster: "c") }
        guard case .transport(let transport) = error?.kind else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(transport.kind == .connect)
        #expect(error?.attempts == 1)
        #expect(error?.description.hasPrefix("[prod] ecs ListServices: could not connect") == true)
    }
}

/// The real transport, with the body of every request kept (to count pages).
final class CountingTransport: HTTPTransport {
    let inner = CurlTransport(proxy: ProxySettings())
    private let sent = Mutex<[String]>([])
    var bodies: [String] { sent.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        sent.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
        return try await inner.send(request)
    }

    func withoutProxy() -> any HTTPTransport { inner.withoutProxy() }
}
