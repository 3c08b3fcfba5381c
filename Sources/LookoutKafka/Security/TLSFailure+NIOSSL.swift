import NIOSSL

extension TLSFailure {
    /// What a swift-nio-ssl error means for a person, or nil when the error is not TLS's.
    init?(_ error: any Error) {
        switch error {
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            self = .nameMismatch
        case let error as NIOSSLError:
            switch error {
            case .handshakeFailed(let reason):
                let codes = Self.reasonCodes(reason)
                if codes.contains("CERTIFICATE_VERIFY_FAILED") {
                    self = .untrusted
                } else {
                    self = .handshakeFailed(codes.isEmpty ? "the TLS handshake failed" : "the TLS handshake failed: " + codes.joined(separator: ", ").lowercased().replacingOccurrences(of: "_", with: " "))
                }
            case .uncleanShutdown:
                self = .handshakeFailed("the broker closed the connection during the TLS handshake")
            case .noCertificateToValidate:
                self = .handshakeFailed("the broker sent no certificate")
            default:
                // The rest are local faults (a file, a state), named as NIO names them.
                self = .handshakeFailed("TLS: \(error)")
            }
        case is NIOSSLExtraError:
            self = .handshakeFailed("TLS: \(error)")
        default:
            return nil
        }
    }

    /// BoringSSL's reason names ("CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER"), taken from
    /// its error strings `error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED`.
    static func reasonCodes(_ error: BoringSSLError) -> [String] {
        let stack: [BoringSSLInternalError]
        switch error {
        case .sslError(let errors), .unknownError(let errors), .invalidSNIName(let errors), .failedToSetALPN(let errors):
            stack = errors
        case .noError, .zeroReturn, .wantRead, .wantWrite, .wantConnect, .wantAccept, .wantX509Lookup,
             .wantCertificateVerify, .syscallError:
            return []
        }
        // Each reads "Error: <number> error:<hex>:<library>:<function>:<REASON> at <file>:<line>".
        return stack.compactMap { entry in
            let text = entry.description
            let message = text.range(of: " at ").map { text[..<$0.lowerBound] } ?? text[...]
            guard message.contains("error:"), let last = message.split(separator: ":").last else { return nil }
            let code = String(last.filter { !$0.isWhitespace })
            return code.isEmpty ? nil : code
        }
    }
}
