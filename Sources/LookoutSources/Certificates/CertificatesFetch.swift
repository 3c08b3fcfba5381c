import Foundation
import LookoutAWS
import LookoutConfig
import LookoutModel
import LookoutProbes
import LookoutX509
import X509

/// The Private CA (status, its certificate's expiry) and the tracked certificates read from
/// `cert_ssm`. The key parameter is never read while polling.
struct CertificatesFetch {
    let client: AWSClient
    let config: CertificatesConfig
    /// The trust anchors of `kafka.tls.ca_file`, when the environment has one.
    let caFile: String?
    /// The console's memory of the last poll: a tracked certificate's parameter is read again only
    /// when DescribeParameters (one call for up to 50 names) shows its version moved.
    var memory: PollMemory?

    struct Memory: Sendable {
        var parameters: [String: SSM.Parameter]
    }
    /// The TLS bootstrap addresses of the cluster, whose served certificate is read too (what is
    /// served decides whether a roll is pending); empty where Kafka is not TLS.
    var bootstrap: [Address] = []

    func fetch() async throws -> [CertificateObservation] {
        var result: [CertificateObservation] = []
        var anchors: [Certificate] = []
        if let caFile {
            let text: String
            do throws(BoundedRead.Failure) { text = try BoundedRead.certificateBundle(caFile).get() } catch { throw SourceProblem(error.message("the CA file \(caFile)")) }
            anchors = try certificates(fromPEM: text)
        }
        // Every read at once: the CA's description, its certificate, and each tracked certificate.
        let client = client
        let pcaARN = config.pca?.description
        async let authorityRead = pcaARN.asyncMap { try await client.acmPCA.describeCertificateAuthority(arn: $0) }
        async let caRead = pcaARN.asyncMap { try await client.acmPCA.getCertificateAuthorityCertificate(arn: $0) }
        let memory = memory
        async let parametersRead = Self.trackedParameters(config.tracked.map(\.certSSM), client: client, memory: memory)
        if let pca = pcaARN, let authority = try await authorityRead, let pem = try await caRead {
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
        // What each TLS bootstrap address serves, read at once; an address that cannot be read is
        // left out (the evaluator then keeps the time rule), never a failure of the source.
        let served = await withTaskGroup(of: (Int, [Certificate]?).self) { group in
            for (index, address) in bootstrap.enumerated() {
                group.addTask { (index, try? await ServedChain.fetch(host: address.host, port: address.port, timeout: .seconds(3))) }
            }
            var found: [Int: [Certificate]] = [:]
            for await (index, chain) in group { found[index] = chain }
            return found
        }
        let parameters = try await parametersRead
        for (index, tracked) in config.tracked.enumerated() {
            let parameter = parameters[index]!
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
        for (index, address) in bootstrap.enumerated() {
            guard let chain = served[index] ?? nil, let leaf = chain.first else { continue }
            let summary = CertificateSummary(leaf)
            let chains = anchors.isEmpty ? nil : await ChainCheck.leadsToAnchors(leaf: leaf, intermediates: Array(chain.dropFirst()), anchors: anchors, now: Date())
            result.append(CertificateObservation(
                name: "kafka \(address.host):\(address.port)", source: .served, subject: summary.subject, serial: summary.serial,
                notBefore: summary.notBefore, notAfter: summary.notAfter, chainsToCA: chains, caStatus: nil,
                location: "\(address.host):\(address.port)"))
        }
        return result
    }
}

extension Optional where Wrapped: Sendable {
    /// The value mapped by an async, throwing function, or nil.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

extension CertificatesFetch {
    /// Each name's parameter (by its index): those whose version the memory holds unchanged from
    /// memory, the rest with GetParameter, all at once. Without a memory (or when the versions
    /// cannot be read) every one is read.
    static func trackedParameters(_ names: [String], client: AWSClient, memory: PollMemory?) async throws -> [Int: SSM.Parameter] {
        var reuse: [String: SSM.Parameter] = [:]
        if let remembered = memory?.value(SourceID.certificates, as: Memory.self), !remembered.parameters.isEmpty,
           let versions = try? await client.ssm.describeParameters(named: Array(Set(names)).sorted()), versions.unreadable.isEmpty {
            for metadata in versions.found {
                guard let name = metadata.name, let old = remembered.parameters[name], old.version != nil, old.version == metadata.version else { continue }
                reuse[name] = old
            }
        }
        let found = try await withThrowingTaskGroup(of: (Int, SSM.Parameter).self) { group in
            for (index, name) in names.enumerated() {
                if let kept = reuse[name] {
                    group.addTask { (index, kept) }
                } else {
                    group.addTask { (index, try await client.ssm.getParameter(name: name)) }
                }
            }
            var found: [Int: SSM.Parameter] = [:]
            for try await (index, parameter) in group { found[index] = parameter }
            return found
        }
        if let memory {
            var byName: [String: SSM.Parameter] = [:]
            for (index, parameter) in found { byName[names[index]] = parameter }
            memory.set(SourceID.certificates, Memory(parameters: byName))
        }
        return found
    }
}
