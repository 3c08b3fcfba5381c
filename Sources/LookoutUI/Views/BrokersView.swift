/// `:brokers`: Kafka brokers.
public enum BrokersView {
    public static let view = ResourceView(
        name: "brokers", aliases: ["kafka", "broker"], title: "Kafka brokers",
        columns: [Column("ENV", min: 4, priority: 10), Column("ID", min: 2, alignRight: true, priority: 9), Column("HOST", min: 8, priority: 9), Column("PORT", min: 4, alignRight: true, priority: 8), Column("CONTROLLER", min: 4, priority: 8), Column("CLUSTER", min: 8, flexible: true, priority: 4)],
        rows: BrokersRender.rows)
}
