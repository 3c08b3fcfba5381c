/// `:endpoints`: Endpoints.
public enum EndpointsView {
    public static let view = ResourceView(
        name: "endpoints", aliases: ["endpoint", "ep", "route53"], title: "Endpoints",
        columns: [Column("ENV", min: 4, priority: 10), Column("ENDPOINT", min: 8, priority: 9), Column("STATUS", min: 6, priority: 9), Column("ADDRESS", min: 8, priority: 5), Column("DNS", min: 4, max: 24, priority: 6), Column("TCP", min: 4, max: 24, priority: 6), Column("TLS", min: 4, max: 30, priority: 7), Column("KAFKA", min: 5, max: 30, priority: 8), Column("SERVED", min: 8, flexible: true, priority: 4), Column("ROUTE53", min: 7, priority: 3)],
        rows: EndpointsRender.rows)
}
