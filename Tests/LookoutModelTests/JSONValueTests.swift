import Foundation
import Testing
@testable import LookoutModel

@Suite struct JSONValueTests {
    @Test func serializesWithOrderedKeysAndExplicitNulls() {
        let value = JSONValue.object([("b", .int(1)), ("a", .null), ("s", .string("q\"\n\u{1}")), ("l", .array([.bool(true), .double(1.5)]))])
        #expect(value.serialized() == #"{"b":1,"a":null,"s":"q\"\n\u0001","l":[true,1.5]}"#)
    }

    @Test func formatsTimesAsRFC3339UTC() {
        #expect(rfc3339(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(rfc3339(Date(timeIntervalSince1970: 951_782_400.9)) == "2000-02-29T00:00:00Z")
        #expect(rfc3339(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    /// The arithmetic against Foundation's ISO 8601 formatter, over dates from 1900 to 2200.
    @Test func rfc3339AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator)))
            #expect(rfc3339(date) == formatter.string(from: date))
        }
    }

    @Test func prettyOutputIndentsByTwoAndParsesBack() throws {
        let value = JSONValue.object([("a", .array([.int(1), .object([("b", .double(-0.0)), ("c", .double(3))]), .array([])])),
                                      ("d", .object([])), ("e", .string("ü \u{7f}\\ \t"))])
        #expect(value.serialized(pretty: true) == """
        {
          "a": [
            1,
            {
              "b": -0.0,
              "c": 3.0
            },
            []
          ],
          "d": {},
          "e": "ü \u{7f}\\\\ \\t"
        }
        """)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(value.serialized(pretty: true).utf8)) as? [String: Any])
        #expect(parsed["e"] as? String == "ü \u{7f}\\ \t")
    }

    /// An array made element by element prints and compares as the array itself; written in
    /// pieces of any size it is the same text, and each element is made once, when written.
    @Test func aLazyArrayIsTheArrayAndIsWrittenInPieces() {
        let rows = (0..<300).map { ["id": "g\($0)", "note": $0 % 7 == 0 ? "a \"quoted\"\nline" : "plain"] }
        let eager = JSONValue.object([("rows", .array(rows.map { row in .object([("id", .string(row["id"]!)), ("note", .string(row["note"]!))]) })),
                                      ("deep", .object([("x", .array((0..<40).map { .int($0) }))]))])
        let made = Counter()
        let lazy = JSONValue.object([("rows", .lazyArray(rows) { row in
                                          made.add()
                                          return .object([("id", .string(row["id"]!)), ("note", .string(row["note"]!))])
                                      }),
                                     ("deep", .object([("x", .lazyArray(Array(0..<40)) { .int($0) })]))])
        #expect(lazy == eager)
        #expect(JSONValue.lazyArray([Int]()) { .int($0) } == .array([]))
        #expect(JSONValue.lazyArray([1]) { .int($0) } != .array([.int(2)]))
        for pretty in [false, true] {
            let whole = eager.serialized(pretty: pretty)
            #expect(lazy.serialized(pretty: pretty) == whole)
            for chunk in [1, 7, 4096] {
                var pieces: [[UInt8]] = []
                let before = made.count
                lazy.write(pretty: pretty, chunk: chunk) { pieces.append(Array($0)) }
                #expect(made.count - before == rows.count)
                #expect(String(decoding: pieces.joined(), as: UTF8.self) == whole)
                #expect(pieces.count > 1)
                #expect(pieces.dropLast().allSatisfy { $0.count >= chunk })
            }
        }
    }

    /// Indentation deeper than one stock of spaces.
    @Test func deepIndentationIsWhole() {
        var value = JSONValue.int(1)
        for _ in 0..<40 { value = .array([value]) }
        let lines = value.serialized(pretty: true).split(separator: "\n")
        #expect(lines[40] == Substring(String(repeating: " ", count: 80) + "1"))
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
