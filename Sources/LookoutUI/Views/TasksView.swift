/// `:tasks`: ECS tasks.
public enum TasksView {
    public static let view = ResourceView(
        name: "tasks", aliases: ["task"], title: "ECS tasks",
        columns: [Column("ENV", min: 4, priority: 10), Column("TASK", min: 8, max: 36, priority: 9), Column("SERVICE", min: 8, priority: 8), Column("STATUS", min: 6, priority: 9), Column("HEALTH", min: 6, priority: 7), Column("STARTED", min: 8, priority: 6), Column("STARTED BY", min: 8, flexible: true, priority: 5)],
        rows: TasksRender.rows)
}
