import Testing

@testable import LookoutAWS

@Suite("SecretValue")
struct SecretValueTests {
    @Test("every way of printing it hides the value")
    func redacted() {
        let secret = SecretValue("hunter2-very-secret")
        var dumped = ""
        dump(secret, to: &dumped)
        let texts = [
            String(describing: secret), String(reflecting: secret), "\(secret)", dumped,
            String(describing: [secret]), String(describing: Optional(secret)),
        ]
        for text in texts {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(secret.reveal() == "hunter2-very-secret")
    }
}
