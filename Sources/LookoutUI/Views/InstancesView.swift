/// `:instances`: Auto Scaling instances.
public enum InstancesView {
    public static let view = ResourceView(
        name: "instances", aliases: ["asg", "ec2", "nodes"], title: "Auto Scaling instances",
        columns: [Column("ENV", min: 4, priority: 10), Column("GROUP", min: 8, priority: 8), Column("INSTANCE", min: 8, priority: 9), Column("LIFECYCLE", min: 8, priority: 9), Column("HEALTH", min: 6, priority: 9), Column("GROUP SIZE", min: 8, flexible: true, priority: 5)],
        rows: InstancesRender.rows)
}
