import Foundation

// What the sources saw, before any judgement. Values AWS does not report stay nil.

public struct ECSObservation: Sendable, Equatable {
    public var cluster: String
    public var services: [ServiceObservation]
    public var tasks: [TaskObservation]

    public init(cluster: String, services: [ServiceObservation], tasks: [TaskObservation]) {
        self.cluster = cluster
        self.services = services
        self.tasks = tasks
    }
}

public struct ServiceObservation: Sendable, Equatable {
    public var name: String
    public var desired: Int
    /// Counted from the service's tasks (group `service:NAME`) by last status.
    public var running: Int
    public var pending: Int
    public var deployment: DeploymentObservation?
    /// Why the service's description could not be read (AWS's answer for it did not read, even
    /// when it was asked for alone): its counts are then unknown, never zeros.
    public var problem: String?

    public init(name: String, desired: Int, running: Int, pending: Int, deployment: DeploymentObservation?, problem: String? = nil) {
        self.name = name
        self.desired = desired
        self.running = running
        self.pending = pending
        self.deployment = deployment
        self.problem = problem
    }

    /// A service whose description could not be read: no counts, no deployment.
    public static func unreadable(_ name: String, problem: String) -> ServiceObservation {
        ServiceObservation(name: name, desired: 0, running: 0, pending: 0, deployment: nil, problem: problem)
    }
}

/// An ECS deployment of a service (the console shows its PRIMARY one; a roll follows its own).
public struct DeploymentObservation: Sendable, Equatable {
    public var id: String
    public var rolloutState: String?
    public var createdAt: Date?
    /// Why ECS set its rollout state (a circuit breaker's rollback), when it says.
    public var rolloutReason: String?

    public init(id: String, rolloutState: String?, createdAt: Date?, rolloutReason: String? = nil) {
        self.id = id
        self.rolloutState = rolloutState
        self.createdAt = createdAt
        self.rolloutReason = rolloutReason
    }
}

public struct TaskObservation: Sendable, Equatable {
    public var arn: String
    /// The service from the task's group `service:NAME`, nil for a task no service started.
    public var service: String?
    public var lastStatus: String
    public var health: String?
    public var startedAt: Date?
    public var startedBy: String?

    public init(arn: String, service: String?, lastStatus: String, health: String?, startedAt: Date?, startedBy: String?) {
        self.arn = arn
        self.service = service
        self.lastStatus = lastStatus
        self.health = health
        self.startedAt = startedAt
        self.startedBy = startedBy
    }
}

public struct AutoScalingObservation: Sendable {
    public var groups: [AutoScalingGroupObservation]

    public init(groups: [AutoScalingGroupObservation]) {
        self.groups = groups
    }
}

public struct AutoScalingGroupObservation: Sendable {
    public var name: String
    public var min: Int
    public var max: Int
    public var desired: Int
    public var instances: [InstanceObservation]

    public var inService: Int { instances.filter { $0.lifecycleState == "InService" }.count }

    public init(name: String, min: Int, max: Int, desired: Int, instances: [InstanceObservation]) {
        self.name = name
        self.min = min
        self.max = max
        self.desired = desired
        self.instances = instances
    }
}

public struct InstanceObservation: Sendable {
    public var id: String
    public var lifecycleState: String
    public var health: String

    public init(id: String, lifecycleState: String, health: String) {
        self.id = id
        self.lifecycleState = lifecycleState
        self.health = health
    }
}

/// An SSM parameter's metadata; its value is never read to make one.
public struct SecretObservation: Sendable {
    public var name: String
    public var ssm: String
    public var version: Int
    public var lastModified: Date

    public init(name: String, ssm: String, version: Int, lastModified: Date) {
        self.name = name
        self.ssm = ssm
        self.version = version
        self.lastModified = lastModified
    }
}

public enum CertificateSource: String, Sendable {
    case ca, tracked, served
}

public struct CertificateObservation: Sendable {
    public var name: String
    public var source: CertificateSource
    public var subject: String
    public var serial: String
    public var notBefore: Date?
    public var notAfter: Date
    /// Whether the chain leads to the environment's trust anchors; nil when it could not be judged.
    public var chainsToCA: Bool?
    /// For the CA: its status at ACM PCA (`ACTIVE`, `DISABLED`, ...).
    public var caStatus: String?
    /// Where it was read from: an SSM parameter, the PCA, an endpoint.
    public var location: String
    /// The SSM parameter version it was read at, for tracked certificates.
    public var version: Int?
    public var lastModified: Date?

    public init(name: String, source: CertificateSource, subject: String, serial: String, notBefore: Date?, notAfter: Date,
                chainsToCA: Bool?, caStatus: String?, location: String, version: Int? = nil, lastModified: Date? = nil) {
        self.name = name
        self.source = source
        self.subject = subject
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.chainsToCA = chainsToCA
        self.caStatus = caStatus
        self.location = location
        self.version = version
        self.lastModified = lastModified
    }
}

public struct HealthCheckObservation: Sendable {
    public var id: String
    /// The endpoint of the config that names this health check.
    public var endpoint: String
    public var healthyObservations: Int
    public var totalObservations: Int

    public init(id: String, endpoint: String, healthyObservations: Int, totalObservations: Int) {
        self.id = id
        self.endpoint = endpoint
        self.healthyObservations = healthyObservations
        self.totalObservations = totalObservations
    }
}

/// The cluster as Metadata describes it.
public struct KafkaObservation: Sendable {
    public struct Broker: Sendable, Equatable {
        public var id: Int
        public var host: String
        public var port: Int

        public init(id: Int, host: String, port: Int) {
            self.id = id
            self.host = host
            self.port = port
        }
    }

    /// One partition as the Metadata answer lists it.
    public struct Partition: Sendable, Equatable {
        public var id: Int
        /// nil when the partition has no leader (-1).
        public var leader: Int?
        public var replicas: [Int]
        public var isr: [Int]
        /// Fewer replicas in sync than assigned.
        public var underReplicated: Bool
        /// No live leader: none, or one that is not among the brokers.
        public var offline: Bool

        public init(id: Int, leader: Int?, replicas: [Int], isr: [Int], underReplicated: Bool, offline: Bool) {
            self.id = id
            self.leader = leader
            self.replicas = replicas
            self.isr = isr
            self.underReplicated = underReplicated
            self.offline = offline
        }
    }

    public struct Topic: Sendable, Equatable {
        public var name: String
        /// By partition id.
        public var partitionList: [Partition]

        public var partitions: Int { partitionList.count }
        /// Partitions with fewer replicas in sync than assigned.
        public var underReplicated: Int { partitionList.filter(\.underReplicated).count }
        /// Partitions without a live leader.
        public var offline: Int { partitionList.filter(\.offline).count }

        public init(name: String, partitionList: [Partition]) {
            self.name = name
            self.partitionList = partitionList
        }
    }

    public var clusterId: String?
    /// The controller's broker id; nil when the cluster reports none.
    public var controller: Int?
    public var brokers: [Broker]
    public var topics: [Topic]

    public init(clusterId: String?, controller: Int?, brokers: [Broker], topics: [Topic]) {
        self.clusterId = clusterId
        self.controller = controller
        self.brokers = brokers
        self.topics = topics
    }
}

/// One phase of an endpoint probe.
public struct PhaseResult: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// The phase ran and passed.
        case ok
        /// The phase ran and failed.
        case failed
        /// An earlier phase failed, so this one did not run.
        case skipped
        /// The endpoint is not configured for this phase (`tls: false`, `kafka: false`, no health check),
        /// or lookout cannot run it yet.
        case off
    }

    public var outcome: Outcome
    public var durationMs: Int?
    public var error: String?

    public init(_ outcome: Outcome, durationMs: Int? = nil, error: String? = nil) {
        self.outcome = outcome
        self.durationMs = durationMs
        self.error = error
    }
}

/// What a client meets at an endpoint, phase by phase.
public struct EndpointObservation: Sendable {
    public var name: String
    public var address: String
    public var resolved: [String]
    public var dns: PhaseResult
    public var tcp: PhaseResult
    public var tls: PhaseResult
    public var kafka: PhaseResult
    public var tlsVersion: String?
    /// The leaf the endpoint served, when the TLS phase got that far.
    public var served: ServedCertificate?
    public var warnMs: Int?

    public init(name: String, address: String, resolved: [String], dns: PhaseResult, tcp: PhaseResult, tls: PhaseResult,
                kafka: PhaseResult, tlsVersion: String?, served: ServedCertificate?, warnMs: Int?) {
        self.name = name
        self.address = address
        self.resolved = resolved
        self.dns = dns
        self.tcp = tcp
        self.tls = tls
        self.kafka = kafka
        self.tlsVersion = tlsVersion
        self.served = served
        self.warnMs = warnMs
    }

    /// The slowest meaningful figure: the Kafka round trip, else the TLS handshake, else the connect.
    public var latencyMs: Int? {
        for phase in [kafka, tls, tcp] where phase.outcome == .ok {
            if let duration = phase.durationMs { return duration }
        }
        return nil
    }
}

public struct ServedCertificate: Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var serial: String
    public var sans: [String]
    public var notAfter: Date
    /// Whether the served chain leads to the environment's trust anchors (nil: no anchors known).
    public var chainsToAnchors: Bool?
    /// Whether the leaf's names cover the host the client asked for.
    public var nameMatches: Bool

    public init(subject: String, issuer: String, serial: String, sans: [String], notAfter: Date, chainsToAnchors: Bool?, nameMatches: Bool) {
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.sans = sans
        self.notAfter = notAfter
        self.chainsToAnchors = chainsToAnchors
        self.nameMatches = nameMatches
    }
}
