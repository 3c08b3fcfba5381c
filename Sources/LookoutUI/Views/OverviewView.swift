/// `:overview`: Environments.
public enum OverviewView {
    public static let view = ResourceView(
        name: "overview", aliases: ["envs", "environments", "o"], title: "Environments",
        columns: [Column("ENV", min: 4, priority: 10), Column("STATUS", min: 6, priority: 9), Column("ECS", min: 5, priority: 8), Column("ASG", min: 5, priority: 8), Column("KAFKA", min: 5, priority: 8), Column("LAG", min: 5, priority: 7), Column("CERTS", min: 5, priority: 8), Column("ENDPTS", min: 5, priority: 7), Column("SECRETS", min: 5, priority: 8), Column("AGE", min: 3, alignRight: true, priority: 6), Column("PROBLEM", min: 8, flexible: true, priority: 4)],
        rows: OverviewRender.rows)
}
