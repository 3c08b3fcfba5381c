import Foundation
import LookoutX509
import X509

// libFuzzer target for what lookout reads of certificates: a served or stored certificate as
// DER (byte 0 even) or as a PEM bundle (byte 0 odd), its summary (names, serial, dates) and the
// chain check against itself as the anchor. Built with `-sanitize=fuzzer` on this target only
// (Package.swift), in the release build the tests use: swift-certificates and swift-asn1 are
// not instrumented, so coverage guides through lookout's code and the seeds' shapes; see
// docs/fuzzing.md.

func fuzzOne(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let rest = Array(bytes.dropFirst())
    let parsed: [Certificate]
    if first % 2 == 0 {
        guard let certificate = try? Certificate(derEncoded: rest) else { return }
        parsed = [certificate]
    } else {
        guard let bundle = try? certificates(fromPEM: String(decoding: rest, as: UTF8.self)) else { return }
        parsed = bundle
    }
    for certificate in parsed {
        let summary = CertificateSummary(certificate)
        _ = summary.sans.joined(separator: ",").count + summary.serial.count + summary.subject.count
    }
    guard first % 4 < 2, let leaf = parsed.first else { return }
    // The chain check is async; the fuzzer's thread waits for it (it is not one of Swift's).
    let done = DispatchSemaphore(value: 0)
    let intermediates = Array(parsed.dropFirst())
    Task {
        _ = await ChainCheck.leadsToAnchors(leaf: leaf, intermediates: intermediates, anchors: [parsed.last ?? leaf], now: Date())
        done.signal()
    }
    done.wait()
}
