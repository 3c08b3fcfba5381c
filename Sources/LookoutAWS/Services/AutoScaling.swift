import Foundation

/// Amazon EC2 Auto Scaling (Query).
public struct AutoScaling: Sendable {
    let client: AWSClient
    static let service = AWSService.autoScaling

    public struct Group: Sendable, Equatable {
        public var name: String
        public var arn: String?
        public var minSize: Int
        public var maxSize: Int
        public var desiredCapacity: Int
        public var defaultCooldown: Int?
        public var availabilityZones: [String]
        public var healthCheckType: String?
        public var healthCheckGracePeriod: Int?
        public var createdTime: Date?
        public var launchTemplateName: String?
        public var launchConfigurationName: String?
        public var status: String?
        public var instances: [Instance]
        public var tags: [String: String]
    }

    public struct Instance: Sendable, Equatable {
        public var instanceId: String
        public var instanceType: String?
        public var availabilityZone: String?
        /// `InService`, `Pending`, `Terminating`, … (LifecycleState in the model).
        public var lifecycleState: String
        /// `Healthy` or `Unhealthy`.
        public var healthStatus: String
        public var protectedFromScaleIn: Bool?
    }

    public struct GroupsPage: Sendable {
        public var groups: [Group]
        public var nextToken: String?
    }

    public func describeAutoScalingGroups(names: [String] = [], nextToken: String? = nil, maxRecords: Int? = nil)
        async throws(AWSError) -> GroupsPage
    {
        var parameters: [(String, String)] = []
        for (index, name) in names.enumerated() {
            parameters.append(("AutoScalingGroupNames.member.\(index + 1)", name))
        }
        if let nextToken { parameters.append(("NextToken", nextToken)) }
        if let maxRecords { parameters.append(("MaxRecords", String(maxRecords))) }
        let result = try await client.query(Self.service, "DescribeAutoScalingGroups", parameters)
        return try client.shape(Self.service, "DescribeAutoScalingGroups") { () throws(ShapeError) in
            var groups: [Group] = []
            for node in result.members("AutoScalingGroups") {
                groups.append(try Self.group(node))
            }
            let next = result.child("NextToken")?.text
            return GroupsPage(groups: groups, nextToken: next?.isEmpty == false ? next : nil)
        }
    }

    /// Every group (or every named group), all pages; `pageSize` is `MaxRecords` (AWS: 50 by default, 100 at most).
    public func describeAllAutoScalingGroups(names: [String] = [], pageSize: Int? = nil) async throws(AWSError)
        -> [Group]
    {
        try await client.allPages(Self.service, "DescribeAutoScalingGroups") { token throws(AWSError) in
            let page = try await describeAutoScalingGroups(names: names, nextToken: token, maxRecords: pageSize)
            return (page.groups, page.nextToken)
        }
    }

    static func group(_ node: XMLNode) throws(ShapeError) -> Group {
        var instances: [Instance] = []
        for instance in node.members("Instances") {
            instances.append(
                Instance(
                    instanceId: try instance.string("InstanceId"), instanceType: instance.child("InstanceType")?.text,
                    availabilityZone: instance.child("AvailabilityZone")?.text,
                    lifecycleState: try instance.string("LifecycleState"),
                    healthStatus: try instance.string("HealthStatus"),
                    protectedFromScaleIn: instance.optionalBool("ProtectedFromScaleIn")))
        }
        var tags: [String: String] = [:]
        for tag in node.members("Tags") {
            if let key = tag.child("Key")?.text { tags[key] = tag.child("Value")?.text ?? "" }
        }
        return Group(
            name: try node.string("AutoScalingGroupName"), arn: node.child("AutoScalingGroupARN")?.text,
            minSize: try node.int("MinSize"), maxSize: try node.int("MaxSize"),
            desiredCapacity: try node.int("DesiredCapacity"), defaultCooldown: try node.optionalInt("DefaultCooldown"),
            availabilityZones: node.members("AvailabilityZones").map(\.text),
            healthCheckType: node.child("HealthCheckType")?.text,
            healthCheckGracePeriod: try node.optionalInt("HealthCheckGracePeriod"),
            createdTime: try node.optionalDate("CreatedTime"),
            launchTemplateName: node.child("LaunchTemplate")?.child("LaunchTemplateName")?.text,
            launchConfigurationName: node.child("LaunchConfigurationName")?.text, status: node.child("Status")?.text,
            instances: instances, tags: tags)
    }

    // MARK: DescribeScalingActivities

    public struct Activity: Sendable, Equatable {
        public var activityId: String
        public var groupName: String
        public var description: String?
        public var cause: String?
        public var startTime: Date?
        public var endTime: Date?
        /// `Successful`, `Failed`, `InProgress`, … (StatusCode in the model).
        public var statusCode: String?
        public var statusMessage: String?
    }

    /// One page of a group's scaling activities, newest first (`MaxRecords`: AWS's maximum is 100).
    public func describeScalingActivities(group: String, nextToken: String? = nil, maxRecords: Int = 100)
        async throws(AWSError) -> (activities: [Activity], nextToken: String?)
    {
        var parameters: [(String, String)] = [("AutoScalingGroupName", group), ("MaxRecords", String(maxRecords))]
        if let nextToken { parameters.append(("NextToken", nextToken)) }
        let result = try await client.query(Self.service, "DescribeScalingActivities", parameters)
        return try client.shape(Self.service, "DescribeScalingActivities") { () throws(ShapeError) in
            var activities: [Activity] = []
            for node in result.members("Activities") {
                activities.append(Activity(
                    activityId: try node.string("ActivityId"), groupName: try node.string("AutoScalingGroupName"),
                    description: node.child("Description")?.text, cause: node.child("Cause")?.text,
                    startTime: try node.optionalDate("StartTime"), endTime: try node.optionalDate("EndTime"),
                    statusCode: node.child("StatusCode")?.text, statusMessage: node.child("StatusMessage")?.text))
            }
            let next = result.child("NextToken")?.text
            return (activities, next?.isEmpty == false ? next : nil)
        }
    }
}
