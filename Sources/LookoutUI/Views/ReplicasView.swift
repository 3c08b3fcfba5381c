/// `:replicas`: each topic's partitions with their leader, replicas and ISR.
public enum ReplicasView {
    public static let view = ResourceView(
        name: "replicas", aliases: ["isr", "leaders"], title: "Kafka partitions: leader, replicas, ISR",
        columns: [Column("ENV", min: 4, priority: 10), Column("TOPIC", min: 8, flexible: true, priority: 9), Column("PARTITION", min: 4, alignRight: true, priority: 9),
                  Column("STATUS", min: 6, priority: 9), Column("LEADER", min: 4, alignRight: true, priority: 8), Column("REPLICAS", min: 8, priority: 8),
                  Column("ISR", min: 8, priority: 8)],
        rows: ReplicasRender.rows)
}
