import Foundation
@_spi(FixedExpiryValidationTime) import X509

/// Whether a certificate's chain leads to trust anchors, judged apart from expiry (which lookout
/// reports on its own): the chain is checked at a moment inside the leaf's validity.
public enum ChainCheck {
    public static func leadsToAnchors(leaf: Certificate, intermediates: [Certificate], anchors: [Certificate], now: Date) async -> Bool {
        guard !anchors.isEmpty else { return false }
        let moment = min(max(now, leaf.notValidBefore.addingTimeInterval(1)), leaf.notValidAfter.addingTimeInterval(-1))
        var verifier = Verifier(rootCertificates: CertificateStore(anchors)) {
            RFC5280Policy(fixedExpiryValidationTime: moment)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate: return true
        case .couldNotValidate: return false
        }
    }
}
