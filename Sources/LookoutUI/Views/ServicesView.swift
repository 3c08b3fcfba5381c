/// `:services`: ECS services.
public enum ServicesView {
    public static let view = ResourceView(
        name: "services", aliases: ["svc", "ecs"], title: "ECS services",
        columns: [Column("ENV", min: 4, priority: 10), Column("SERVICE", min: 8, priority: 9), Column("STATUS", min: 6, priority: 9), Column("DESIRED", min: 3, alignRight: true, priority: 8), Column("RUNNING", min: 3, alignRight: true, priority: 8), Column("PENDING", min: 3, alignRight: true, priority: 7), Column("ROLLOUT", min: 6, priority: 5), Column("DEPLOYED", min: 10, flexible: true, priority: 4)],
        rows: ServicesRender.rows)
}
