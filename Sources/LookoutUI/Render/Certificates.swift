import LookoutModel
import LookoutSources

/// Certificates: the CA's, the tracked ones and the ones each endpoint serves, side by side.
enum CertificatesRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .certificates, columns: 9) { info, snapshot in
            guard let certificates = snapshot.certificates else { return [] }
            return certificates.map { (certificate) -> Row in
                let observation = certificate.observation
                return Row([Cells.environment(info), TableCell(observation.name), TableCell(observation.source.rawValue),
                            Cells.status(certificate.status, context.symbols), TableCell("\(certificate.daysLeft)"),
                            Cells.date(observation.notAfter), Cells.flag(certificate.rollPending),
                            TableCell(observation.serial, .dim), TableCell(observation.subject)],
                           environment: info.name, target: observation.source == .tracked ? observation.name : nil)
            }
        }
    }
}
