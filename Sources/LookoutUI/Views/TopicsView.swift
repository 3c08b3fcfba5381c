/// `:topics`: Kafka topics.
public enum TopicsView {
    public static let view = ResourceView(
        name: "topics", aliases: ["topic"], title: "Kafka topics",
        columns: [Column("ENV", min: 4, priority: 10), Column("TOPIC", min: 8, flexible: true, priority: 9), Column("STATUS", min: 6, priority: 9), Column("PARTITIONS", min: 4, alignRight: true, priority: 8), Column("UNDER-REPL", min: 4, alignRight: true, priority: 8), Column("OFFLINE", min: 4, alignRight: true, priority: 8)],
        rows: TopicsRender.rows)
}
