/// A search for many secret needles (a value and its 40-character slices) in test outputs.
/// `String.contains` once per needle costs seconds for thousands of needles in an unoptimised test
/// build; here each needle length's windows of a text are hashed once, so the cost is one pass
/// over the text per length, however many needles.
struct Needles {
    private let byLength: [Int: Set<ArraySlice<UInt8>>]
    let count: Int

    init(_ needles: [String]) {
        var byLength: [Int: Set<ArraySlice<UInt8>>] = [:]
        for needle in needles where !needle.isEmpty {
            let bytes = ArraySlice(needle.utf8)
            byLength[bytes.count, default: []].insert(bytes)
        }
        self.byLength = byLength
        count = needles.count
    }

    /// A secret and every 40-character slice of it: an output holding part of a long key is found too.
    init(secret: String) {
        let characters = Array(secret)
        var needles = [secret]
        if characters.count > 40 {
            needles += (0...(characters.count - 40)).map { String(characters[$0..<($0 + 40)]) }
        }
        self.init(needles)
    }

    /// Whether any needle occurs in `text` (byte for byte, in UTF-8).
    func found(in text: String) -> Bool {
        let bytes = Array(text.utf8)
        for (length, wanted) in byLength where length <= bytes.count {
            for start in 0...(bytes.count - length) where wanted.contains(bytes[start..<(start + length)]) {
                return true
            }
        }
        return false
    }
}
