import Foundation
import LookoutAWS
import LookoutConfig
import LookoutModel

/// What one environment's sources of changes came to: the events, and each source that failed
/// (shown as unknown in the timeline; the others stand).
public struct ChangeReading: Sendable {
    public var events: [ChangeEvent] = []
    public var failures: [(environment: String, source: String, error: String)] = []

    public init() {}
}

/// Reads an environment's changes since a time, read-only, each API paged to its maximum and each
/// source bounded by its timeout: ECS deployments (DescribeServices) and stopped tasks (ListTasks
/// STOPPED, DescribeTasks), Auto Scaling activities (DescribeScalingActivities), and the SSM
/// versions written of every configured secret and certificate (GetParameterHistory without
/// decryption: the value is never read into an event).
///
/// Not read here: Route53 health-check status changes and consumer-group state and status changes,
/// which no API lists: lookout observes them across its own polls (``ObservedChanges``). Not read
/// at all: certificates issued or revoked by the Private CA (ACM PCA has no list of issued
/// certificates; its audit report is an S3 job); a reissue shows as the SSM versions it wrote.
public enum ChangeEvents {
    public static func read(_ config: EnvironmentConfig, client: AWSClient, since: Date, timeout: Duration) async -> ChangeReading {
        let name = config.name
        var readers: [(String, @Sendable () async throws -> [ChangeEvent])] = []
        if let ecs = config.ecs {
            readers.append(("ecs", { try await Self.ecs(ecs, client: client, environment: name, since: since) }))
        }
        if let autoscaling = config.autoscaling, !autoscaling.groups.isEmpty {
            readers.append(("autoscaling", { try await Self.autoScaling(autoscaling.groups, client: client, environment: name, since: since) }))
        }
        let parameters = Self.parameters(config)
        if !parameters.isEmpty {
            readers.append(("ssm", { try await Self.ssm(parameters, client: client, environment: name, since: since) }))
        }
        return await withTaskGroup(of: Outcome.self) { group in
            for (source, reader) in readers {
                group.addTask { await Self.bounded(source: source, environment: name, timeout, reader) }
            }
            var reading = ChangeReading()
            for await outcome in group {
                reading.events += outcome.events
                if let error = outcome.error { reading.failures.append((name, outcome.source, error)) }
            }
            reading.failures.sort { $0.source < $1.source }
            return reading
        }
    }

    /// One source's reading: its events, or why it has none.
    struct Outcome: Sendable {
        var source: String
        var events: [ChangeEvent] = []
        var error: String?
    }

    /// Runs `body` for at most `timeout`; a failure or the timeout is the source's error.
    static func bounded(source: String, environment: String, _ timeout: Duration,
                        _ body: @escaping @Sendable () async throws -> [ChangeEvent]) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                do {
                    return Outcome(source: source, events: try await body())
                } catch {
                    return Outcome(source: source, error: "\(environment) \(source): \(error)".terminalSafe)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? Outcome(source: source, error: "\(environment) \(source): no answer within \(timeout)")
        }
    }

    /// Every SSM parameter the config names for a secret or a certificate (its certificate and key).
    static func parameters(_ config: EnvironmentConfig) -> [(object: String, parameter: String)] {
        var out = config.secrets.map { ("secret \($0.name)", $0.ssm) }
        for certificate in config.certificates?.tracked ?? [] {
            out.append(("certificate \(certificate.name)", certificate.certSSM))
            out.append(("certificate \(certificate.name) key", certificate.keySSM))
        }
        return out
    }

    static func ecs(_ config: ECSConfig, client: AWSClient, environment: String, since: Date) async throws -> [ChangeEvent] {
        let ecs = client.ecs
        let names = try await ECSFetch.serviceNames(config, ecs: ecs)
        var events: [ChangeEvent] = []
        let described = try await ecs.describeAllServices(cluster: config.cluster, services: names)
        for service in described.services ?? [] {
            let name = service.serviceName ?? "?"
            for deployment in service.deployments ?? [] {
                let revision = deployment.taskDefinition.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "?"
                if let created = deployment.createdAt, created >= since {
                    events.append(ChangeEvent(environment: environment, source: "ecs", object: "service \(name)", time: created,
                                              summary: "deployment \(deployment.id ?? "?") started: \(revision)"))
                }
                if let state = deployment.rolloutState, state == "COMPLETED" || state == "FAILED", let updated = deployment.updatedAt,
                   updated >= since, updated != deployment.createdAt {
                    // a completed deployment's reason only says it completed
                    let reason = state == "FAILED" ? deployment.rolloutStateReason.map { ": \($0)" } ?? "" : ""
                    events.append(ChangeEvent(environment: environment, source: "ecs", object: "service \(name)", time: updated,
                                              summary: "deployment \(deployment.id ?? "?") \(state == "COMPLETED" ? "completed" : "failed"): \(revision)\(reason)"))
                }
            }
        }
        let stopped = try await ecs.listAllTasks(cluster: config.cluster, filter: ECS.ListTasksFilter(desiredStatus: "STOPPED"))
        if !stopped.isEmpty {
            let tasks = try await ecs.describeAllTasks(cluster: config.cluster, tasks: stopped)
            for task in tasks.tasks ?? [] {
                guard let at = task.stoppedAt ?? task.stoppingAt, at >= since else { continue }
                let id = task.taskArn.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "?"
                let service = task.group.flatMap { $0.hasPrefix("service:") ? String($0.dropFirst("service:".count)) : nil }
                events.append(ChangeEvent(environment: environment, source: "ecs", object: "task \(id)", time: at,
                                          summary: "stopped\(service.map { " (service \($0))" } ?? ""): \(task.stoppedReason ?? task.stopCode ?? "no reason given")"))
            }
        }
        return events
    }

    static func autoScaling(_ groups: [String], client: AWSClient, environment: String, since: Date) async throws -> [ChangeEvent] {
        var events: [ChangeEvent] = []
        for group in groups {
            var token: String?
            var pages = 0
            repeat {
                let page = try await client.autoScaling.describeScalingActivities(group: group, nextToken: token)
                pages += 1
                var older = false
                for activity in page.activities {
                    guard let start = activity.startTime else { continue }
                    if start < since { older = true; continue }
                    let status = activity.statusCode.map { " (\($0))" } ?? ""
                    let cause = activity.cause.map { ": \($0)" } ?? ""
                    events.append(ChangeEvent(environment: environment, source: "autoscaling", object: "group \(group)", time: start,
                                              summary: "\(activity.description ?? "activity")\(status)\(cause)"))
                }
                // newest first: a page that reaches before `since` is the last one needed
                token = older ? nil : page.nextToken
            } while token != nil && pages < 50
        }
        return events
    }

    static func ssm(_ parameters: [(object: String, parameter: String)], client: AWSClient, environment: String, since: Date) async throws -> [ChangeEvent] {
        var events: [ChangeEvent] = []
        for (object, parameter) in parameters {
            let history = try await client.ssm.getFullParameterHistory(name: parameter, withDecryption: false)
            for version in history {
                guard let at = version.lastModifiedDate, at >= since else { continue }
                let labels = (version.labels ?? []).isEmpty ? "" : " (labels \((version.labels ?? []).joined(separator: ", ")))"
                events.append(ChangeEvent(environment: environment, source: "ssm", object: object, time: at,
                                          summary: "version \(version.version.map(String.init) ?? "?") of \(parameter) written\(labels)",
                                          who: version.lastModifiedUser))
            }
        }
        return events
    }
}
