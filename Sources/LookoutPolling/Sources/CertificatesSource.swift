import Foundation
import LookoutAWS
import LookoutConfig
import LookoutModel
import LookoutX509
import X509

/// The Private CA (status, its certificate's expiry) and the tracked certificates read from
/// `cert_ssm`. The key parameter is never read while polling.
struct CertificatesSource {
    let client: AWSClient
    let config: CertificatesConfig
    /// The trust anchors of `kafka.tls.ca_file`, when the environment has one.
    let caFile: String?

    func fetch() async throws -> [CertificateObservation] {
        var result: [CertificateObservation] = []
        var anchors: [Certificate] = []
        if let caFile {
            guard let text = try? String(contentsOfFile: caFile, encoding: .utf8) else {
                throw SourceProblem("cannot read the CA file \(caFile)")
            }
            anchors = try certificates(fromPEM: text)
        }
        if let pca = config.pca?.description {
            let authority = try await client.acmPCA.describeCertificateAuthority(arn: pca)
            let pem = try await client.acmPCA.getCertificateAuthorityCertificate(arn: pca)
            guard let certificatePEM = pem.certificate else { throw SourceProblem("the Private CA \(pca) has no certificate") }
            let caCertificate = try certificates(fromPEM: certificatePEM)[0]
            let chain = try pem.certificateChain.map { try certificates(fromPEM: $0) } ?? []
            if caFile == nil { anchors = [caCertificate] + chain }
            let summary = CertificateSummary(caCertificate)
            result.append(CertificateObservation(
                name: "ca", source: .ca, subject: summary.subject, serial: summary.serial,
                notBefore: summary.notBefore, notAfter: authority.notAfter ?? summary.notAfter,
                chainsToCA: nil, caStatus: authority.status ?? "UNKNOWN", location: pca))
        }
        for tracked in config.tracked {
            let parameter = try await client.ssm.getParameter(name: tracked.certSSM)
            guard let text = parameter.value?.reveal() else { throw SourceProblem("SSM parameter \(tracked.certSSM) has no value") }
            let bundle: [Certificate]
            do {
                bundle = try certificates(fromPEM: text)
            } catch {
                throw SourceProblem("SSM parameter \(tracked.certSSM) (certificate \(tracked.name)): \(error)")
            }
            let leaf = bundle[0]
            let summary = CertificateSummary(leaf)
            let chains = anchors.isEmpty ? nil : await ChainCheck.leadsToAnchors(leaf: leaf, intermediates: Array(bundle.dropFirst()), anchors: anchors, now: Date())
            result.append(CertificateObservation(
                name: tracked.name, source: .tracked, subject: summary.subject, serial: summary.serial,
                notBefore: summary.notBefore, notAfter: summary.notAfter, chainsToCA: chains, caStatus: nil,
                location: tracked.certSSM, version: parameter.version, lastModified: parameter.lastModifiedDate))
        }
        return result
    }
}
