import Testing

/// The secret search the leak tests rely on must find what it looks for, or they prove nothing.
@Suite struct NeedlesTests {
    @Test func findsANeedleAnywhereAndOnlyWhole() {
        let needles = Needles(["s3cret", "another-needle"])
        #expect(needles.found(in: "s3cret"))
        #expect(needles.found(in: "before s3cret after"))
        #expect(needles.found(in: "…ünïcode around another-needle"))
        #expect(!needles.found(in: "s3cre t and another-needl"))
        #expect(!needles.found(in: ""))
        #expect(!Needles([]).found(in: "anything"))
    }

    @Test func findsAFortyCharacterSliceOfALongSecret() {
        let key = String(repeating: "0123456789abcdef", count: 8)
        let needles = Needles(secret: key)
        #expect(needles.count == 1 + key.count - 40 + 1)
        #expect(needles.found(in: "log: " + key.dropFirst(50).prefix(40) + " end"))
        #expect(!needles.found(in: "log: " + key.prefix(39) + " end"))
        #expect(Needles(secret: "short").found(in: "a short one"))
    }
}
