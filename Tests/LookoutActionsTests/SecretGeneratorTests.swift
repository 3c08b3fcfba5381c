import LookoutActions
import LookoutConfig
import Testing

@Suite struct SecretGeneratorTests {
    @Test(arguments: GenerateConfig.Alphabet.allCases)
    func valuesHaveTheLengthAndAlphabetAsked(_ alphabet: GenerateConfig.Alphabet) {
        var config = GenerateConfig()
        config.length = 64
        config.alphabet = alphabet
        let allowed = Set(SecretGenerator.alphabet(alphabet))
        let value = SecretGenerator.generate(config).reveal()
        let fits = value.count == 64 && value.allSatisfy { allowed.contains($0) }
        #expect(fits)
    }

    @Test func alphabets() {
        #expect(SecretGenerator.alphabet(.alnum).count == 62)
        #expect(SecretGenerator.alphabet(.hex).count == 16)
        #expect(SecretGenerator.alphabet(.base64url).count == 64)
        #expect(SecretGenerator.alphabet(.printable).count == 94)
    }

    @Test func everyCharacterIsUsedAndValuesDiffer() {
        var config = GenerateConfig()
        config.length = 4096
        config.alphabet = .alnum
        let first = SecretGenerator.generate(config).reveal()
        let second = SecretGenerator.generate(config).reveal()
        let differ = first != second
        #expect(differ)
        #expect(Set(first).count == 62)
    }

    @Test func theValueIsNeverPrinted() {
        let value = SecretGenerator.generate(GenerateConfig())
        #expect("\(value)" == "<redacted>")
    }
}
