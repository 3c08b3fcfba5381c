import LookoutModel
import LookoutSources

/// ECS tasks; what AWS does not report (moto gives no health or start time) shows as `-`.
enum TasksRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .ecs, columns: 7) { info, snapshot in
            guard let ecs = snapshot.ecs else { return [] }
            return ecs.observation.tasks.map { task in
                Row([Cells.environment(info), TableCell(String(task.arn.split(separator: "/").last ?? Substring(task.arn))),
                     TableCell(task.service ?? "-"), TableCell(task.lastStatus, task.lastStatus == "RUNNING" ? .text : .status(.warn)),
                     task.health.map { TableCell($0, $0 == "UNHEALTHY" ? .status(.warn) : .text) } ?? TableCell("-", .dim),
                     Cells.date(task.startedAt), TableCell(task.startedBy ?? "-")],
                    environment: info.name)
            }
        }
    }
}
