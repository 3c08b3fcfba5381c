import LookoutModel
import LookoutSources

/// ECS services: desired, running and pending tasks, the primary deployment.
enum ServicesRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .ecs, columns: 8) { info, snapshot in
            guard let ecs = snapshot.ecs else { return [] }
            return ecs.observation.services.map { service in
                Row([Cells.environment(info), TableCell(service.name),
                     Cells.status(ecs.serviceStatus[service.name] ?? .ok, context.symbols),
                     // an unreadable service shows no counts: "?" (its finding says why)
                     TableCell(service.problem == nil ? "\(service.desired)" : "?"),
                     TableCell(service.problem == nil ? "\(service.running)" : "?"),
                     TableCell(service.problem == nil ? "\(service.pending)" : "?"),
                     TableCell(service.deployment?.rolloutState ?? "-"), Cells.date(service.deployment?.createdAt)],
                    environment: info.name, drill: Location(view: TasksView.view.name, environment: info.name), target: service.name)
            }
        }
    }
}
