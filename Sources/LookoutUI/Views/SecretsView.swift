/// `:secrets`: SSM secrets.
public enum SecretsView {
    public static let view = ResourceView(
        name: "secrets", aliases: ["secret", "ssm"], title: "SSM secrets",
        columns: [Column("ENV", min: 4, priority: 10), Column("NAME", min: 6, priority: 9), Column("STATUS", min: 6, priority: 9), Column("VERSION", min: 3, alignRight: true, priority: 8), Column("AGE", min: 3, alignRight: true, priority: 8), Column("ROLL", min: 4, priority: 9), Column("CHANGED", min: 10, priority: 6), Column("SSM", min: 8, flexible: true, priority: 5)],
        rows: SecretsRender.rows)
}
