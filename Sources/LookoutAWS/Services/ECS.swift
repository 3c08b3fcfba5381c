import Foundation

/// Amazon ECS (JSON 1.1, `AmazonEC2ContainerServiceV20141113`), the operations lookout needs.
public struct ECS: Sendable {
    let client: AWSClient
    static let service = AWSService.ecs

    // MARK: ListServices

    public struct ListServicesPage: Sendable, Decodable {
        public var serviceArns: [String]?
        public var nextToken: String?
    }

    public func listServices(cluster: String, nextToken: String? = nil, maxResults: Int? = nil)
        async throws(AWSError) -> ListServicesPage
    {
        struct Input: Encodable {
            var cluster: String
            var nextToken: String?
            var maxResults: Int?
        }
        return try await client.json(
            Self.service, "ListServices", Input(cluster: cluster, nextToken: nextToken, maxResults: maxResults))
    }

    /// Every service ARN of the cluster, all pages.
    public func listAllServices(cluster: String) async throws(AWSError) -> [String] {
        try await client.allPages(Self.service, "ListServices") { token throws(AWSError) in
            let page = try await listServices(cluster: cluster, nextToken: token)
            return (page.serviceArns ?? [], page.nextToken)
        }
    }

    // MARK: DescribeServices

    public struct DescribeServicesOutput: Sendable, Decodable {
        public var services: [Service]?
        public var failures: [Failure]?
    }

    /// At most 10 services per call (an AWS limit); see ``describeAllServices(cluster:services:)``.
    public func describeServices(cluster: String, services: [String]) async throws(AWSError) -> DescribeServicesOutput {
        struct Input: Encodable {
            var cluster: String
            var services: [String]
        }
        return try await client.json(Self.service, "DescribeServices", Input(cluster: cluster, services: services))
    }

    /// Describes any number of services, 10 per call. A batch whose answer cannot be read is
    /// asked again in pieces (``AWSBulkhead``): a service that cannot be read even alone is a
    /// failure with reason ``Failure/unreadable`` and the error in its detail; the rest are read.
    public func describeAllServices(cluster: String, services: [String]) async throws(AWSError) -> DescribeServicesOutput {
        var result = DescribeServicesOutput(services: [], failures: [])
        for chunk in services.chunked(10) {
            var budget = AWSBulkhead.budget
            let parts = try await AWSBulkhead.run(chunk, budget: &budget) { (batch: [String]) async throws(AWSError) in
                try await describeServices(cluster: cluster, services: batch)
            }
            for part in parts.outputs {
                result.services! += part.services ?? []
                result.failures! += part.failures ?? []
            }
            result.failures! += parts.alone.map { Failure(arn: $0.item, reason: Failure.unreadable, detail: "\($0.error) (asked for it alone)") }
        }
        return result
    }

    // MARK: ListTasks

    public struct ListTasksPage: Sendable, Decodable {
        public var taskArns: [String]?
        public var nextToken: String?
    }

    public struct ListTasksFilter: Sendable {
        public var serviceName: String?
        public var startedBy: String?
        public var family: String?
        /// `RUNNING`, `PENDING` or `STOPPED`.
        public var desiredStatus: String?

        public init(serviceName: String? = nil, startedBy: String? = nil, family: String? = nil,
                    desiredStatus: String? = nil) {
            self.serviceName = serviceName
            self.startedBy = startedBy
            self.family = family
            self.desiredStatus = desiredStatus
        }
    }

    public func listTasks(cluster: String, filter: ListTasksFilter = ListTasksFilter(), nextToken: String? = nil,
                          maxResults: Int? = nil) async throws(AWSError) -> ListTasksPage {
        struct Input: Encodable {
            var cluster: String
            var serviceName: String?
            var startedBy: String?
            var family: String?
            var desiredStatus: String?
            var nextToken: String?
            var maxResults: Int?
        }
        return try await client.json(
            Self.service, "ListTasks",
            Input(cluster: cluster, serviceName: filter.serviceName, startedBy: filter.startedBy,
                  family: filter.family, desiredStatus: filter.desiredStatus, nextToken: nextToken,
                  maxResults: maxResults))
    }

    public func listAllTasks(cluster: String, filter: ListTasksFilter = ListTasksFilter()) async throws(AWSError)
        -> [String]
    {
        try await client.allPages(Self.service, "ListTasks") { token throws(AWSError) in
            let page = try await listTasks(cluster: cluster, filter: filter, nextToken: token)
            return (page.taskArns ?? [], page.nextToken)
        }
    }

    // MARK: DescribeTasks

    public struct DescribeTasksOutput: Sendable, Decodable {
        public var tasks: [Task]?
        public var failures: [Failure]?
    }

    /// At most 100 tasks per call (an AWS limit); see ``describeAllTasks(cluster:tasks:)``.
    public func describeTasks(cluster: String, tasks: [String]) async throws(AWSError) -> DescribeTasksOutput {
        struct Input: Encodable {
            var cluster: String
            var tasks: [String]
        }
        return try await client.json(Self.service, "DescribeTasks", Input(cluster: cluster, tasks: tasks))
    }

    /// Describes any number of tasks, 100 per call, with the bulkhead of
    /// ``describeAllServices(cluster:services:)``: a task that cannot be read even alone is a
    /// failure with reason ``Failure/unreadable``.
    public func describeAllTasks(cluster: String, tasks: [String]) async throws(AWSError) -> DescribeTasksOutput {
        var result = DescribeTasksOutput(tasks: [], failures: [])
        for chunk in tasks.chunked(100) {
            var budget = AWSBulkhead.budget
            let parts = try await AWSBulkhead.run(chunk, budget: &budget) { (batch: [String]) async throws(AWSError) in
                try await describeTasks(cluster: cluster, tasks: batch)
            }
            for part in parts.outputs {
                result.tasks! += part.tasks ?? []
                result.failures! += part.failures ?? []
            }
            result.failures! += parts.alone.map { Failure(arn: $0.item, reason: Failure.unreadable, detail: "\($0.error) (asked for it alone)") }
        }
        return result
    }

    // MARK: UpdateService

    public struct UpdateServiceOutput: Sendable, Decodable {
        public var service: Service?
    }

    public func updateService(
        cluster: String, service: String, desiredCount: Int? = nil, forceNewDeployment: Bool? = nil
    ) async throws(AWSError) -> UpdateServiceOutput {
        struct Input: Encodable {
            var cluster: String
            var service: String
            var desiredCount: Int?
            var forceNewDeployment: Bool?
        }
        return try await client.json(
            Self.service, "UpdateService",
            Input(cluster: cluster, service: service, desiredCount: desiredCount,
                  forceNewDeployment: forceNewDeployment))
    }

    // MARK: Shapes (members as named in ecs/2014-11-13/service-2.json; a subset)

    public struct Service: Sendable, Decodable, Equatable {
        public var serviceArn: String?
        public var serviceName: String?
        public var clusterArn: String?
        public var status: String?
        public var desiredCount: Int?
        public var runningCount: Int?
        public var pendingCount: Int?
        public var launchType: String?
        public var taskDefinition: String?
        public var deploymentConfiguration: DeploymentConfiguration?
        public var deployments: [Deployment]?
        public var events: [ServiceEvent]?
        public var createdAt: Date?
        public var schedulingStrategy: String?
    }

    public struct DeploymentConfiguration: Sendable, Decodable, Equatable {
        public struct CircuitBreaker: Sendable, Decodable, Equatable {
            public var enable: Bool?
            public var rollback: Bool?
        }

        public var deploymentCircuitBreaker: CircuitBreaker?
        public var maximumPercent: Int?
        public var minimumHealthyPercent: Int?
    }

    public struct Deployment: Sendable, Decodable, Equatable {
        public var id: String?
        /// `PRIMARY`, `ACTIVE` or `INACTIVE`.
        public var status: String?
        public var taskDefinition: String?
        public var desiredCount: Int?
        public var pendingCount: Int?
        public var runningCount: Int?
        public var failedTasks: Int?
        public var createdAt: Date?
        public var updatedAt: Date?
        public var launchType: String?
        /// `COMPLETED`, `FAILED` or `IN_PROGRESS`.
        public var rolloutState: String?
        public var rolloutStateReason: String?
    }

    public struct ServiceEvent: Sendable, Decodable, Equatable {
        public var id: String?
        public var createdAt: Date?
        public var message: String?
    }

    public struct Task: Sendable, Decodable, Equatable {
        public var taskArn: String?
        public var clusterArn: String?
        public var taskDefinitionArn: String?
        public var containerInstanceArn: String?
        public var group: String?
        public var startedBy: String?
        public var lastStatus: String?
        public var desiredStatus: String?
        /// `HEALTHY`, `UNHEALTHY` or `UNKNOWN`.
        public var healthStatus: String?
        public var launchType: String?
        public var availabilityZone: String?
        public var createdAt: Date?
        public var startedAt: Date?
        public var stoppingAt: Date?
        public var stoppedAt: Date?
        public var stoppedReason: String?
        public var stopCode: String?
        public var version: Int?
        public var containers: [Container]?
    }

    public struct Container: Sendable, Decodable, Equatable {
        public var containerArn: String?
        public var name: String?
        public var image: String?
        public var lastStatus: String?
        public var exitCode: Int?
        public var reason: String?
        public var healthStatus: String?
    }

    public struct Failure: Sendable, Decodable, Equatable {
        public var arn: String?
        public var reason: String?
        public var detail: String?

        /// The reason lookout gives an item whose description could not be read even when asked
        /// for alone (not one of AWS's reasons, which are upper case words such as `MISSING`).
        public static let unreadable = "unreadable"

        public init(arn: String?, reason: String?, detail: String?) {
            self.arn = arn
            self.reason = reason
            self.detail = detail
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
