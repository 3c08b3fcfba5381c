@testable import LookoutKafka
import LookoutSecrets
import Testing

@Suite("SASL authentication state machine")
struct SASLAuthenticationStateMachineTests {
    @Test func plainSendsOneMessageAndAnyAnswerEndsIt() {
        var machine = SASLAuthenticationStateMachine(.plain, username: "admin", password: SecretValue("s3cret"), clientNonce: "")
        #expect(machine.start() == .send([0] + Array("admin".utf8) + [0] + Array("s3cret".utf8)))
        #expect(machine.serverMessageReceived([]) == .authenticated)
    }

    @Test func plainAnswerBeforeTheMessageFails() {
        var machine = SASLAuthenticationStateMachine(.plain, username: "admin", password: SecretValue("s3cret"), clientNonce: "")
        #expect(machine.serverMessageReceived([]) == .fail(.protocolViolation("a PLAIN answer before the PLAIN message")))
    }

    @Test(arguments: [KafkaSASLMechanism.scramSHA256, .scramSHA512])
    func scramStartsWithTheClientFirstMessage(mechanism: KafkaSASLMechanism) {
        var machine = SASLAuthenticationStateMachine(mechanism, username: "admin", password: SecretValue("s3cret"), clientNonce: "n0nce")
        #expect(machine.start() == .send(Array("n,,n=admin,r=n0nce".utf8)))
    }

    @Test func thePasswordIsNeverShownByADumpOfTheConnection() {
        var machine = ConnectionStateMachine(
            sasl: .init(mechanism: .scramSHA512, username: "admin", password: SecretValue("s3cret-value")), clientNonce: "n0nce"
        )
        _ = machine.connected()
        _ = machine.frameReceived(correlationID: 0)
        _ = machine.apiVersionsReceived(errorCode: 0, versions: [17: 0...1, 36: 0...2])
        _ = machine.frameReceived(correlationID: 1)
        _ = machine.saslHandshakeReceived(errorCode: 0, mechanisms: ["SCRAM-SHA-512"])
        var dumped = ""
        dump(machine, to: &dumped)
        #expect(dumped.contains("authenticating"))
        #expect(!dumped.contains("s3cret-value"))
    }
}
