import LookoutModel
import LookoutSources

/// Every partition of every topic with its leader, replicas and in-sync replicas.
enum ReplicasRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .kafka, columns: 7) { info, snapshot in
            guard let kafka = snapshot.kafka else { return [] }
            return kafka.topics.flatMap { topic in
                topic.partitionList.map { (partition) -> Row in
                    let status: Status = partition.offline ? .crit : (partition.underReplicated ? .warn : .ok)
                    return Row([Cells.environment(info), TableCell(topic.name), TableCell("\(partition.id)"), Cells.status(status, context.symbols),
                                TableCell(partition.leader.map(String.init) ?? "none"), TableCell(ids(partition.replicas)), TableCell(ids(partition.isr))],
                               environment: info.name)
                }
            }
        }
    }

    private static func ids(_ list: [Int]) -> String {
        list.isEmpty ? "-" : list.map(String.init).joined(separator: ",")
    }
}
