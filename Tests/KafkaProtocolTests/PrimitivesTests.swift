import KafkaProtocol
import NIOCore
import Testing

@Suite("Primitives against known bytes")
struct PrimitivesTests {
    static let unsignedVarints: [(UInt32, [UInt8])] = [
        (0, [0x00]),
        (1, [0x01]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (300, [0xAC, 0x02]),
        (16_384, [0x80, 0x80, 0x01]),
        (UInt32.max, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    @Test(arguments: unsignedVarints)
    func unsignedVarint(value: UInt32, bytes: [UInt8]) throws {
        #expect(written { $0.writeKafkaUnsignedVarint(value) } == bytes)
        var input = buffer(bytes)
        #expect(try input.readKafkaUnsignedVarint() == value)
        #expect(input.readableBytes == 0)
    }

    static let varints: [(Int32, [UInt8])] = [
        (0, [0x00]),
        (-1, [0x01]),
        (1, [0x02]),
        (-2, [0x03]),
        (63, [0x7E]),
        (-64, [0x7F]),
        (64, [0x80, 0x01]),
        (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    @Test(arguments: varints)
    func varint(value: Int32, bytes: [UInt8]) throws {
        #expect(written { $0.writeKafkaVarint(value) } == bytes)
        var input = buffer(bytes)
        #expect(try input.readKafkaVarint() == value)
    }

    static let varlongs: [(Int64, [UInt8])] = [
        (0, [0x00]),
        (-1, [0x01]),
        (1, [0x02]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: varlongs)
    func varlong(value: Int64, bytes: [UInt8]) throws {
        #expect(written { $0.writeKafkaVarlong(value) } == bytes)
        var input = buffer(bytes)
        #expect(try input.readKafkaVarlong() == value)
    }

    @Test func varintsThatAreTooLongAreRefused() {
        var sixBytes = buffer([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        #expect(throws: KafkaProtocolError.varintTooLong) { try sixBytes.readKafkaUnsignedVarint() }
        var above32Bits = buffer([0xFF, 0xFF, 0xFF, 0xFF, 0x1F])
        #expect(throws: KafkaProtocolError.varintTooLong) { try above32Bits.readKafkaUnsignedVarint() }
        var elevenBytes = buffer(Array(repeating: 0x80, count: 10) + [0x01])
        #expect(throws: KafkaProtocolError.varintTooLong) { try elevenBytes.readKafkaVarlong() }
        var truncated = buffer([0x80])
        #expect(throws: KafkaProtocolError.truncated(needed: 1, available: 0)) { try truncated.readKafkaUnsignedVarint() }
    }

    @Test func fixedWidthIntegersAreBigEndian() throws {
        #expect(written { $0.writeInteger(Int16(0x0102)) } == [0x01, 0x02])
        #expect(written { $0.writeInteger(Int32(-2)) } == [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(written { $0.writeInteger(Int64(1)) } == [0, 0, 0, 0, 0, 0, 0, 1])
        var input = buffer([0x80, 0x00])
        #expect(try input.readKafkaInteger(as: Int16.self) == Int16.min)
        var short = buffer([0x00, 0x01, 0x02])
        #expect(throws: KafkaProtocolError.truncated(needed: 4, available: 3)) { try short.readKafkaInteger(as: Int32.self) }
        #expect(written { $0.writeKafkaBool(true) } == [0x01])
        var bool = buffer([0x02])
        #expect(try bool.readKafkaBool() == true)
        #expect(written { $0.writeKafkaFloat64(1.5) } == [0x3F, 0xF8, 0, 0, 0, 0, 0, 0])
    }

    @Test func strings() throws {
        #expect(try written { try $0.writeKafkaString("abc", compact: false) } == [0x00, 0x03, 0x61, 0x62, 0x63])
        #expect(try written { try $0.writeKafkaString("abc", compact: true) } == [0x04, 0x61, 0x62, 0x63])
        #expect(try written { try $0.writeKafkaString("", compact: true) } == [0x01])
        #expect(try written { try $0.writeKafkaNullableString(nil, compact: false) } == [0xFF, 0xFF])
        #expect(try written { try $0.writeKafkaNullableString(nil, compact: true) } == [0x00])
        #expect(try written { try $0.writeKafkaString("é", compact: false) } == [0x00, 0x02, 0xC3, 0xA9])

        var classic = buffer([0x00, 0x03, 0x61, 0x62, 0x63])
        #expect(try classic.readKafkaString(compact: false) == "abc")
        var compact = buffer([0x04, 0x61, 0x62, 0x63])
        #expect(try compact.readKafkaNullableString(compact: true) == "abc")
        var null = buffer([0xFF, 0xFF])
        #expect(try null.readKafkaNullableString(compact: false) == nil)
        var compactNull = buffer([0x00])
        #expect(try compactNull.readKafkaNullableString(compact: true) == nil)
        var nullWhereNotAllowed = buffer([0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.invalidLength(-1)) { try nullWhereNotAllowed.readKafkaString(compact: false) }
        var negative = buffer([0xFF, 0xFE])
        #expect(throws: KafkaProtocolError.invalidLength(-2)) { try negative.readKafkaString(compact: false) }
        var longerThanInput = buffer([0x00, 0x05, 0x61])
        #expect(throws: KafkaProtocolError.truncated(needed: 5, available: 1)) { try longerThanInput.readKafkaString(compact: false) }
        var notUTF8 = buffer([0x03, 0xC3, 0x28])
        #expect(throws: KafkaProtocolError.invalidUTF8) { try notUTF8.readKafkaString(compact: true) }
        let tooLong = String(repeating: "x", count: Int(Int16.max) + 1)
        #expect(throws: KafkaProtocolError.invalidLength(Int64(Int16.max) + 1)) {
            _ = try written { try $0.writeKafkaString(tooLong, compact: false) }
        }
    }

    @Test func bytes() throws {
        #expect(try written { try $0.writeKafkaBytes([1, 2], compact: false) } == [0, 0, 0, 2, 1, 2])
        #expect(try written { try $0.writeKafkaBytes([1, 2], compact: true) } == [3, 1, 2])
        #expect(try written { try $0.writeKafkaNullableBytes(nil, compact: false) } == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try written { try $0.writeKafkaNullableBytes(nil, compact: true) } == [0])
        var classic = buffer([0, 0, 0, 2, 1, 2])
        #expect(try classic.readKafkaBytes(compact: false) == [1, 2])
        var null = buffer([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try null.readKafkaNullableBytes(compact: false) == nil)
    }

    @Test func arrays() throws {
        let write: (inout ByteBuffer, Int32) throws(KafkaProtocolError) -> Void = { buffer, element in
            buffer.writeInteger(element)
        }
        let read: (inout ByteBuffer) throws(KafkaProtocolError) -> Int32 = { buffer in
            try buffer.readKafkaInteger(as: Int32.self)
        }
        #expect(try written { try $0.writeKafkaArray([Int32(1), 2], compact: false, write) } == [0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(try written { try $0.writeKafkaArray([Int32(1)], compact: true, write) } == [2, 0, 0, 0, 1])
        #expect(try written { try $0.writeKafkaNullableArray(nil as [Int32]?, compact: false, write) } == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try written { try $0.writeKafkaNullableArray(nil as [Int32]?, compact: true, write) } == [0])
        var classic = buffer([0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(try classic.readKafkaArray(compact: false, read) == [1, 2])
        var compactEmpty = buffer([1])
        #expect(try compactEmpty.readKafkaArray(compact: true, read) == [])
        var null = buffer([0])
        #expect(try null.readKafkaNullableArray(compact: true, read) == nil)
        // A count far above the bytes present is refused before any allocation.
        var huge = buffer([0x7F, 0xFF, 0xFF, 0xFF, 0x00])
        #expect(throws: KafkaProtocolError.truncated(needed: Int(Int32.max), available: 1)) { try huge.readKafkaArray(compact: false, read) }
    }

    @Test func taggedFieldsAreWrittenInTagOrder() throws {
        let fields = [KafkaTaggedField(tag: 1, data: [0xAA]), KafkaTaggedField(tag: 0, data: [])]
        #expect(try written { try $0.writeKafkaTaggedFields(fields) } == [0x02, 0x00, 0x00, 0x01, 0x01, 0xAA])
        #expect(try written { try $0.writeKafkaTaggedFields([]) } == [0x00])
        var input = buffer([0x02, 0x00, 0x00, 0x01, 0x01, 0xAA])
        #expect(try input.readKafkaTaggedFields() == fields.reversed())
        var truncated = buffer([0x01, 0x05, 0x03, 0xAA])
        #expect(throws: KafkaProtocolError.truncated(needed: 3, available: 1)) { try truncated.readKafkaTaggedFields() }
    }

    @Test func uuid() throws {
        let bytes: [UInt8] = [0x01, 0xA2, 0x14, 0x66, 0x3C, 0x65, 0x7F, 0x71, 0xB2, 0xCC, 0xA9, 0x0D, 0xD7, 0xCA, 0x97, 0xA8]
        var input = buffer(bytes)
        let uuid = try input.readKafkaUUID()
        #expect(uuid == KafkaUUID(mostSignificantBits: 0x01A2_1466_3C65_7F71, leastSignificantBits: 0xB2CC_A90D_D7CA_97A8))
        #expect(written { $0.writeKafkaUUID(uuid) } == bytes)
        // Kafka's Uuid.toString: URL-safe base64 without padding.
        #expect(KafkaUUID.zero.description == "AAAAAAAAAAAAAAAAAAAAAA")
        #expect(KafkaUUID(mostSignificantBits: 0, leastSignificantBits: 1).description == "AAAAAAAAAAAAAAAAAAAAAQ")
        #expect(KafkaUUID(mostSignificantBits: .max, leastSignificantBits: .max).description == "_____________________w")
    }
}
