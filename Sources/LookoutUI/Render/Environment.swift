import Foundation
import LookoutModel

/// One environment: a row per source with its status, age, poll time and error; Enter opens the source's view.
enum EnvironmentRender {
    static let sources: [(source: String, label: String, view: String)] = [
        ("ecs", "ECS services and tasks", ServicesView.view.name),
        ("autoscaling", "Auto Scaling instances", InstancesView.view.name),
        ("kafka", "Kafka brokers and topics", BrokersView.view.name),
        ("groups", "consumer groups and lag", GroupsView.view.name),
        ("certificates", "certificates", CertificatesView.view.name),
        ("route53", "Route53 health checks", EndpointsView.view.name),
        ("endpoints", "endpoint probes", EndpointsView.view.name),
        ("secrets", "SSM secrets", SecretsView.view.name),
    ]
    /// Sources lookout cannot read yet (none today).

    static func rows(_ context: ViewContext) -> [Row] {
        var result: [Row] = []
        for (info, snapshot) in context.scoped {
            for entry in sources {
                let drill = Location(view: entry.view, environment: info.name)
                var cells = [Cells.environment(info), TableCell(entry.source), TableCell(entry.label)]
                guard let snapshot else {
                    result.append(Row(cells + [Cells.loading(context.symbols), TableCell(""), TableCell(""), TableCell("")], environment: info.name, drill: drill))
                    continue
                }
                guard let state = snapshot.sources.first(where: { $0.name == entry.source }) else {
                    result.append(Row(cells + [Cells.unavailable("n/a: not configured"), TableCell(""), TableCell(""), TableCell("")], environment: info.name, drill: drill))
                    continue
                }
                let age = state.fetchedAt.map { shortAge(Int(context.now.timeIntervalSince($0))) } ?? "never"
                cells += [Cells.status(state.status, context.symbols), TableCell(age), TableCell("\(state.durationMs)ms", .dim)]
                if let error = state.error {
                    let since = state.errorSince.map { " (since \(shortAge(Int(context.now.timeIntervalSince($0)))) ago)" } ?? ""
                    cells.append(TableCell(error + since, .status(.unknown)))
                } else {
                    let problem = snapshot.findings.first { $0.source == entry.source }
                    cells.append(problem.map { TableCell("\($0.object): \($0.message)", .status(StatusRole($0.status))) } ?? TableCell("", .dim))
                }
                result.append(Row(cells, environment: info.name, drill: drill))
            }
        }
        return result
    }
}
