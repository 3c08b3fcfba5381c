/// `:env`: Sources.
public enum EnvironmentView {
    public static let view = ResourceView(
        name: "env", aliases: ["environment", "sources"], title: "Sources",
        columns: [Column("ENV", min: 4, priority: 10), Column("SOURCE", min: 6, priority: 9), Column("WHAT", min: 8, max: 26, priority: 3), Column("STATUS", min: 6, priority: 9), Column("AGE", min: 3, alignRight: true, priority: 8), Column("POLL", min: 4, alignRight: true, priority: 2), Column("PROBLEM", min: 10, flexible: true, priority: 7)],
        rows: EnvironmentRender.rows)
}
