import Crypto
import Foundation
import LookoutSecrets

/// The client side of SCRAM (RFC 5802) without channel binding, as a pure state machine:
/// it is given the server's messages and returns the next one to send. Nonce and password come
/// from outside, so a test can replay RFC 7677's and RFC 5802's examples byte for byte.
///
/// The password goes into Hi() as its UTF-8 bytes, unnormalised, as Kafka's own client and
/// broker do (their ScramFormatter skips SASLprep), so any password Kafka accepts works here.
struct SCRAMClient: Equatable {
    enum Algorithm: Equatable {
        /// RFC 5802's own example uses SHA-1; Kafka does not offer it.
        case sha1
        case sha256
        case sha512
    }

    enum State: Equatable {
        case initial
        /// client-first sent; waiting for server-first.
        case clientFirstSent(clientFirstBare: String)
        /// client-final sent; the server's final message must carry this signature.
        case clientFinalSent(expectedServerSignature: [UInt8])
        case authenticated
        case failed
    }

    enum Action: Equatable {
        case send([UInt8])
        /// The server proved it knows the password: the login is done.
        case authenticated
        case fail(SASLFailure)
    }

    /// Servers that ask for fewer rounds invite cheap offline guessing of the proof (RFC 7677
    /// section 4 asks for at least 4096, Kafka's minimum too); many more only burn CPU.
    static let iterationRange = 4096...1_000_000

    let algorithm: Algorithm
    let username: String
    /// Redacted in any dump; its bytes exist only while Hi() runs.
    let password: SecretValue
    let clientNonce: String
    private(set) var state: State = .initial

    init(algorithm: Algorithm, username: String, password: SecretValue, clientNonce: String) {
        self.algorithm = algorithm
        self.username = username
        self.password = password
        self.clientNonce = clientNonce
    }

    /// "n,," : no channel binding, no authorization identity.
    static let gs2Header = "n,,"

    // MARK: - Events

    mutating func start() -> Action {
        switch self.state {
        case .initial:
            let bare = "n=\(Self.saslName(self.username)),r=\(self.clientNonce)"
            self.state = .clientFirstSent(clientFirstBare: bare)
            return .send(Array((Self.gs2Header + bare).utf8))
        case .clientFirstSent, .clientFinalSent, .authenticated, .failed:
            return self.fail(.protocolViolation("SCRAM started twice"))
        }
    }

    mutating func serverMessageReceived(_ bytes: [UInt8]) -> Action {
        switch self.state {
        case .clientFirstSent(let clientFirstBare):
            return self.serverFirstReceived(bytes, clientFirstBare: clientFirstBare)
        case .clientFinalSent(let expected):
            return self.serverFinalReceived(bytes, expected: expected)
        case .initial, .authenticated, .failed:
            return self.fail(.protocolViolation("a SCRAM message nobody asked for"))
        }
    }

    // MARK: - Steps

    private mutating func serverFirstReceived(_ bytes: [UInt8], clientFirstBare: String) -> Action {
        guard let serverFirst = String(validating: bytes, as: UTF8.self) else {
            return self.fail(.protocolViolation("the server's first SCRAM message is not UTF-8"))
        }
        let attributes = Self.attributes(serverFirst)
        if let error = attributes["e"] { return self.fail(.serverError(error)) }
        if attributes["m"] != nil { return self.fail(.protocolViolation("the server asks for a SCRAM extension lookout does not know")) }
        guard let nonce = attributes["r"], let saltText = attributes["s"], let iterationText = attributes["i"] else {
            return self.fail(.protocolViolation("the server's first SCRAM message lacks r, s or i"))
        }
        guard nonce.hasPrefix(self.clientNonce), nonce.count > self.clientNonce.count else {
            return self.fail(.protocolViolation("the server's SCRAM nonce does not extend lookout's"))
        }
        guard let salt = Data(base64Encoded: saltText), !salt.isEmpty else {
            return self.fail(.protocolViolation("the server's SCRAM salt is not base64"))
        }
        guard let iterations = Int(iterationText), Self.iterationRange.contains(iterations) else {
            return self.fail(.protocolViolation("the server asks for \(iterationText) SCRAM iterations (lookout accepts \(Self.iterationRange.lowerBound)-\(Self.iterationRange.upperBound))"))
        }

        let saltedPassword = self.hi(salt: Array(salt), iterations: iterations)
        let clientKey = self.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = self.hash(clientKey)
        let channelBinding = Data(Self.gs2Header.utf8).base64EncodedString()
        let finalWithoutProof = "c=\(channelBinding),r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(finalWithoutProof)".utf8)
        let clientSignature = self.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = self.hmac(key: saltedPassword, Array("Server Key".utf8))
        let serverSignature = self.hmac(key: serverKey, authMessage)

        self.state = .clientFinalSent(expectedServerSignature: serverSignature)
        return .send(Array("\(finalWithoutProof),p=\(Data(proof).base64EncodedString())".utf8))
    }

    private mutating func serverFinalReceived(_ bytes: [UInt8], expected: [UInt8]) -> Action {
        guard let serverFinal = String(validating: bytes, as: UTF8.self) else {
            return self.fail(.protocolViolation("the server's final SCRAM message is not UTF-8"))
        }
        let attributes = Self.attributes(serverFinal)
        if let error = attributes["e"] { return self.fail(.serverError(error)) }
        guard let verifier = attributes["v"], let signature = Data(base64Encoded: verifier) else {
            return self.fail(.protocolViolation("the server's final SCRAM message has no signature"))
        }
        guard Self.constantTimeEqual(Array(signature), expected) else {
            return self.fail(.serverSignatureMismatch)
        }
        self.state = .authenticated
        return .authenticated
    }

    private mutating func fail(_ failure: SASLFailure) -> Action {
        self.state = .failed
        return .fail(failure)
    }

    // MARK: - Helpers

    /// RFC 5802 section 5.1: "=" and "," in a name are written "=3D" and "=2C".
    static func saslName(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    /// `k=v,k=v`; a value may itself hold "=" (base64), never ",".
    static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: equals) == 1 else { continue }
            let key = String(part[..<equals])
            if result[key] == nil { result[key] = String(part[part.index(after: equals)...]) }
        }
        return result
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// Hi() of RFC 5802 section 2.2: PBKDF2 with HMAC as the PRF, one block.
    func hi(salt: [UInt8], iterations: Int) -> [UInt8] {
        let password = Array(self.password.reveal().utf8)
        switch self.algorithm {
        case .sha1: return Self.hi(Insecure.SHA1.self, password: password, salt: salt, iterations: iterations)
        case .sha256: return Self.hi(SHA256.self, password: password, salt: salt, iterations: iterations)
        case .sha512: return Self.hi(SHA512.self, password: password, salt: salt, iterations: iterations)
        }
    }

    /// HMAC (RFC 2104) written out so that the keyed inner and outer hash states are made once
    /// and copied for each of the thousands of rounds, instead of keying HMAC every round.
    static func hi<H: HashFunction>(_: H.Type, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var key = password.count > H.blockByteCount ? Array(H.hash(data: password)) : password
        key += [UInt8](repeating: 0, count: H.blockByteCount - key.count)
        var inner = H()
        inner.update(data: key.map { $0 ^ 0x36 })
        var outer = H()
        outer.update(data: key.map { $0 ^ 0x5c })
        func mac(_ message: [UInt8]) -> [UInt8] {
            var innerRound = inner
            innerRound.update(data: message)
            var outerRound = outer
            outerRound.update(data: Array(innerRound.finalize()))
            return Array(outerRound.finalize())
        }
        var block = mac(salt + [0, 0, 0, 1])
        var result = block
        for _ in 1..<iterations {
            block = mac(block)
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }

    func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch self.algorithm {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
    }

    func hash(_ bytes: [UInt8]) -> [UInt8] {
        switch self.algorithm {
        case .sha1: return Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: return Array(SHA256.hash(data: bytes))
        case .sha512: return Array(SHA512.hash(data: bytes))
        }
    }
}
