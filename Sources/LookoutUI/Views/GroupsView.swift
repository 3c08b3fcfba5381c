/// `:groups`: consumer groups and lag.
public enum GroupsView {
    public static let view = ResourceView(
        name: "groups", aliases: ["lag", "consumers", "cg"], title: "Consumer groups",
        columns: [Column("ENV", min: 4, priority: 10), Column("GROUP", min: 8, priority: 9), Column("STATUS", min: 6, priority: 9),
                  Column("STATE", min: 5, priority: 5), Column("MEMBERS", min: 4, alignRight: true, priority: 4),
                  Column("LAG", min: 4, alignRight: true, priority: 8), Column("LAG S", min: 5, alignRight: true, priority: 7),
                  Column("TREND", min: 5, priority: 6), Column("DRAIN", min: 5, alignRight: true, priority: 6),
                  Column("REASON", min: 10, flexible: true, priority: 3)],
        rows: GroupsRender.rows)
}

/// `:partitions`: a consumer group's partitions (Enter on a group), or every watched group's.
public enum PartitionsView {
    public static let view = ResourceView(
        name: "partitions", aliases: ["partition", "offsets"], title: "Consumer group partitions",
        columns: [Column("ENV", min: 4, priority: 10), Column("GROUP", min: 8, priority: 9), Column("TOPIC", min: 8, flexible: true, priority: 9),
                  Column("PART", min: 4, alignRight: true, priority: 9), Column("COMMITTED", min: 6, alignRight: true, priority: 7),
                  Column("END", min: 6, alignRight: true, priority: 7), Column("LAG", min: 4, alignRight: true, priority: 8),
                  Column("LAG S", min: 5, alignRight: true, priority: 6), Column("VERDICT", min: 6, priority: 8)],
        rows: PartitionsRender.rows)
}
