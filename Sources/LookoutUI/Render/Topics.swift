import LookoutModel
import LookoutSources

/// Kafka topics with their partition counts and replication problems.
enum TopicsRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .kafka, columns: 6) { info, snapshot in
            guard let kafka = snapshot.kafka else { return [] }
            return kafka.topics.map { (topic) -> Row in
                let status: Status = topic.offline > 0 ? .crit : (topic.underReplicated > 0 ? .warn : .ok)
                return Row([Cells.environment(info), TableCell(topic.name), Cells.status(status, context.symbols),
                            TableCell("\(topic.partitions)"), TableCell("\(topic.underReplicated)"), TableCell("\(topic.offline)")],
                           environment: info.name)
            }
        }
    }
}
