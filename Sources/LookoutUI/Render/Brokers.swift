import LookoutModel
import LookoutSources

/// Kafka brokers from Metadata; the controller is marked.
enum BrokersRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .kafka, columns: 6) { info, snapshot in
            guard let kafka = snapshot.kafka else { return [] }
            return kafka.brokers.map { broker in
                Row([Cells.environment(info), TableCell("\(broker.id)"), TableCell(broker.host), TableCell("\(broker.port)"),
                     TableCell(kafka.controller == broker.id ? "yes" : ""), TableCell(kafka.clusterId ?? "-", .dim)],
                    environment: info.name, drill: Location(view: TopicsView.view.name, environment: info.name))
            }
        }
    }
}
