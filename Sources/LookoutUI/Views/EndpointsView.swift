/// `:endpoints`: Endpoints.
public enum EndpointsView {
    public static let view = ResourceView(
        name: "endpoints", aliases: ["endpoint", "ep", "route53"], title: "Endpoints",
        columns: [Column("ENV", min: 4, priority: 10), Column("ENDPOINT", min: 8, priority: 9), Column("STATUS", min: 6, priority: 9), Column("CHECK", min: 8, flexible: true, priority: 8), Column("HEALTH CHECK", min: 8, priority: 4)],
        rows: EndpointsRender.rows)
}
