import LookoutModel
import LookoutSources

/// Auto Scaling groups' instances, each with its group's size.
enum InstancesRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .autoscaling, columns: 6) { info, snapshot in
            guard let autoscaling = snapshot.autoscaling else { return [] }
            return autoscaling.groups.flatMap { (group) -> [Row] in
                let size = "\(group.inService)/\(group.desired) in service (\(group.min)-\(group.max))"
                guard !group.instances.isEmpty else {
                    return [Row([Cells.environment(info), TableCell(group.name), TableCell("none", .dim), TableCell(""), TableCell(""), TableCell(size)], environment: info.name)]
                }
                return group.instances.map { (instance) -> Row in
                    let good = instance.lifecycleState == "InService" && instance.health == "Healthy"
                    return Row([Cells.environment(info), TableCell(group.name), TableCell(instance.id),
                                TableCell(instance.lifecycleState, good ? .text : .status(.warn)),
                                TableCell(instance.health, instance.health == "Healthy" ? .text : .status(.crit)), TableCell(size, .dim)],
                               environment: info.name)
                }
            }
        }
    }
}
