/// `:groups`: Consumer groups (not built yet).
public enum GroupsView {
    public static let view = ResourceView(
        name: "groups", aliases: ["lag", "consumers", "cg"], title: "Consumer groups (not built yet)",
        columns: [Column("ENV", min: 4, priority: 10), Column("GROUP", min: 8, flexible: true, priority: 9), Column("STATUS", min: 6, priority: 9), Column("LAG", min: 4, alignRight: true, priority: 8), Column("LAG S", min: 4, alignRight: true, priority: 7), Column("TREND", min: 8, priority: 5), Column("DRAIN", min: 5, priority: 6)],
        rows: GroupsRender.rows)
}
