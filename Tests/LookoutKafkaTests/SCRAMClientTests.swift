import LookoutSecrets
@testable import LookoutKafka
import Testing

/// The SCRAM machine against the RFCs' worked examples, byte for byte, and against servers
/// that misbehave.
@Suite("SCRAM client")
struct SCRAMClientTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// RFC 7677 section 3.
    @Test func rfc7677SHA256Example() {
        var client = SCRAMClient(algorithm: .sha256, username: "user", password: SecretValue("pencil"), clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(client.start() == .send(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")))
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        #expect(client.serverMessageReceived(bytes(serverFirst)) == .send(bytes(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )))
        #expect(client.serverMessageReceived(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == .authenticated)
        #expect(client.state == .authenticated)
    }

    /// RFC 5802 section 5 (SHA-1): the same structure with the other hash.
    @Test func rfc5802SHA1Example() {
        var client = SCRAMClient(algorithm: .sha1, username: "user", password: SecretValue("pencil"), clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(client.start() == .send(bytes("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")))
        let serverFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
        #expect(client.serverMessageReceived(bytes(serverFirst)) == .send(bytes(
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
        )))
        #expect(client.serverMessageReceived(bytes("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")) == .authenticated)
    }

    func afterServerFirst(password: String = "pencil") -> SCRAMClient {
        var client = SCRAMClient(algorithm: .sha256, username: "user", password: SecretValue(password), clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = client.start()
        _ = client.serverMessageReceived(bytes("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
        return client
    }

    @Test func aServerThatDoesNotKnowThePasswordIsRefused() {
        // The RFC's server signature is for "pencil"; a client with another password expects another.
        var client = afterServerFirst(password: "crayon")
        #expect(client.serverMessageReceived(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == .fail(.serverSignatureMismatch))
        #expect(client.state == .failed)
    }

    @Test func aServerErrorIsPassedOn() {
        var client = afterServerFirst()
        #expect(client.serverMessageReceived(bytes("e=invalid-proof")) == .fail(.serverError("invalid-proof")))
        var early = SCRAMClient(algorithm: .sha512, username: "user", password: SecretValue("x"), clientNonce: "abc")
        _ = early.start()
        #expect(early.serverMessageReceived(bytes("e=unknown-user")) == .fail(.serverError("unknown-user")))
    }

    @Test(arguments: [
        ("r=otherNonce123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce"),
        ("r=abc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce"),
        ("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", "iterations"),
        ("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many", "iterations"),
        ("r=abcdef,s=***,i=4096", "salt"),
        ("r=abcdef,i=4096", "lacks"),
        ("m=ext,r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "extension"),
    ])
    func aMalformedServerFirstFails(message: String, reason: String) {
        var client = SCRAMClient(algorithm: .sha256, username: "user", password: SecretValue("pencil"), clientNonce: "abc")
        _ = client.start()
        guard case .fail(.protocolViolation(let text)) = client.serverMessageReceived(bytes(message)) else {
            Issue.record("\(message) was accepted")
            return
        }
        #expect(text.contains(reason), "\(text)")
        #expect(client.state == .failed)
    }

    @Test func aFinalMessageWithoutSignatureFails() {
        var client = afterServerFirst()
        #expect(client.serverMessageReceived(bytes("x=1")) == .fail(.protocolViolation("the server's final SCRAM message has no signature")))
    }

    @Test func messagesOutOfOrderFail() {
        var client = SCRAMClient(algorithm: .sha256, username: "user", password: SecretValue("pencil"), clientNonce: "abc")
        #expect(client.serverMessageReceived(bytes("r=abcdef")) == .fail(.protocolViolation("a SCRAM message nobody asked for")))
        var twice = SCRAMClient(algorithm: .sha256, username: "user", password: SecretValue("pencil"), clientNonce: "abc")
        _ = twice.start()
        #expect(twice.start() == .fail(.protocolViolation("SCRAM started twice")))
    }

    @Test func namesAreEscaped() {
        #expect(SCRAMClient.saslName("a=b,c") == "a=3Db=2Cc")
        var client = SCRAMClient(algorithm: .sha512, username: "a=b,c", password: SecretValue("p"), clientNonce: "n0nce")
        #expect(client.start() == .send(bytes("n,,n=a=3Db=2Cc,r=n0nce")))
    }
}
