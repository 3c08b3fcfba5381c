import LookoutAWS
import LookoutConfig

/// Makes a new secret value locally, as the secret's `generate` says: every character drawn
/// uniformly from the alphabet with the system's cryptographic random source.
public enum SecretGenerator {
    public static func alphabet(_ kind: GenerateConfig.Alphabet) -> [Character] {
        let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", lower = "abcdefghijklmnopqrstuvwxyz", digits = "0123456789"
        switch kind {
        case .alnum: return Array(upper + lower + digits)
        case .hex: return Array(digits + "abcdef")
        case .base64url: return Array(upper + lower + digits + "-_")
        // Printable ASCII without the space, so a value never starts or ends blank.
        case .printable: return (33...126).map { Character(Unicode.Scalar(UInt8($0))) }
        }
    }

    public static func generate(_ config: GenerateConfig) -> SecretValue {
        var source = SystemRandomNumberGenerator()
        return generate(config, using: &source)
    }

    public static func generate(_ config: GenerateConfig, using source: inout some RandomNumberGenerator) -> SecretValue {
        let characters = alphabet(config.alphabet)
        // Int.random(in:using:) draws without modulo bias.
        return SecretValue(String((0..<config.length).map { _ in characters[Int.random(in: 0..<characters.count, using: &source)] }))
    }
}
