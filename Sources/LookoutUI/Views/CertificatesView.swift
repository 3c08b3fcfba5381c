/// `:certs`: Certificates.
public enum CertificatesView {
    public static let view = ResourceView(
        name: "certs", aliases: ["certificates", "cert", "tls"], title: "Certificates",
        columns: [Column("ENV", min: 4, priority: 10), Column("NAME", min: 6, priority: 9), Column("SOURCE", min: 6, priority: 8), Column("STATUS", min: 6, priority: 9), Column("DAYS", min: 4, alignRight: true, priority: 9), Column("NOT AFTER", min: 10, priority: 6), Column("ROLL", min: 4, priority: 7), Column("SERIAL", min: 8, max: 20, priority: 3), Column("SUBJECT", min: 10, flexible: true, priority: 5)],
        rows: CertificatesRender.rows)
}
