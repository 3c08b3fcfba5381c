import LookoutModel

/// Certificates: the CA and the tracked ones (served certificates are not built yet).
enum CertificatesRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: "certificates", columns: 9) { info, snapshot in
            guard let certificates = snapshot.certificates else { return [] }
            let tracked: [Row] = certificates.map { (certificate) -> Row in
                let observation = certificate.observation
                return Row([Cells.environment(info), TableCell(observation.name), TableCell(observation.source.rawValue),
                            Cells.status(certificate.status, context.symbols), TableCell("\(certificate.daysLeft)"),
                            Cells.date(observation.notAfter), Cells.flag(certificate.rollPending),
                            TableCell(observation.serial, .dim), TableCell(observation.subject)],
                           environment: info.name)
            }
            let served = Row([Cells.environment(info), TableCell("served", .dim), TableCell("served", .dim), Cells.unavailable("n/a"),
                              TableCell(""), TableCell(""), TableCell(""), TableCell(""), TableCell("served certificates: not built yet", .dim)],
                             environment: info.name)
            return tracked + [served]
        }
    }
}
