import NIOCore

// Kafka's primitive types (https://kafka.apache.org/protocol#protocol_types), written by hand.
// Readers throw instead of returning nil: a message is decoded from a complete frame, so
// missing bytes mean a malformed frame, never "wait for more".

// MARK: - Fixed-width values

extension ByteBuffer {
    @inlinable
    public mutating func readKafkaInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws(KafkaProtocolError) -> T {
        guard let value = self.readInteger(endianness: .big, as: T.self) else {
            throw .truncated(needed: MemoryLayout<T>.size, available: self.readableBytes)
        }
        return value
    }

    public mutating func writeKafkaBool(_ value: Bool) {
        self.writeInteger(value ? 1 : 0, as: UInt8.self)
    }

    public mutating func readKafkaBool() throws(KafkaProtocolError) -> Bool {
        try self.readKafkaInteger(as: UInt8.self) != 0
    }

    public mutating func writeKafkaFloat64(_ value: Double) {
        self.writeInteger(value.bitPattern)
    }

    public mutating func readKafkaFloat64() throws(KafkaProtocolError) -> Double {
        Double(bitPattern: try self.readKafkaInteger(as: UInt64.self))
    }

    public mutating func writeKafkaUUID(_ value: KafkaUUID) {
        self.writeInteger(value.mostSignificantBits)
        self.writeInteger(value.leastSignificantBits)
    }

    public mutating func readKafkaUUID() throws(KafkaProtocolError) -> KafkaUUID {
        let most = try self.readKafkaInteger(as: UInt64.self)
        let least = try self.readKafkaInteger(as: UInt64.self)
        return KafkaUUID(mostSignificantBits: most, leastSignificantBits: least)
    }
}

// MARK: - Variable-length integers

extension ByteBuffer {
    public mutating func writeKafkaUnsignedVarint(_ value: UInt32) {
        self.writeKafkaUnsignedVarlong(UInt64(value))
    }

    public mutating func writeKafkaUnsignedVarlong(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        self.writeInteger(UInt8(rest))
    }

    public mutating func readKafkaUnsignedVarint() throws(KafkaProtocolError) -> UInt32 {
        let value = try self.readKafkaUnsignedVarlong(maximumBytes: 5)
        guard value <= UInt64(UInt32.max) else { throw .varintTooLong }
        return UInt32(value)
    }

    public mutating func readKafkaUnsignedVarlong() throws(KafkaProtocolError) -> UInt64 {
        try self.readKafkaUnsignedVarlong(maximumBytes: 10)
    }

    private mutating func readKafkaUnsignedVarlong(maximumBytes: Int) throws(KafkaProtocolError) -> UInt64 {
        var result: UInt64 = 0
        for index in 0..<maximumBytes {
            let byte = try self.readKafkaInteger(as: UInt8.self)
            let shift = UInt64(7 * index)
            let payload = UInt64(byte & 0x7F)
            if index == 9 && payload > 1 { throw .varintTooLong }
            result |= payload << shift
            if byte & 0x80 == 0 { return result }
        }
        throw .varintTooLong
    }

    /// A zigzag-encoded signed 32-bit varint.
    public mutating func writeKafkaVarint(_ value: Int32) {
        let zigzag = UInt32(bitPattern: (value << 1) ^ (value >> 31))
        self.writeKafkaUnsignedVarint(zigzag)
    }

    public mutating func readKafkaVarint() throws(KafkaProtocolError) -> Int32 {
        let zigzag = try self.readKafkaUnsignedVarint()
        return Int32(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
    }

    /// A zigzag-encoded signed 64-bit varint.
    public mutating func writeKafkaVarlong(_ value: Int64) {
        let zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        self.writeKafkaUnsignedVarlong(zigzag)
    }

    public mutating func readKafkaVarlong() throws(KafkaProtocolError) -> Int64 {
        let zigzag = try self.readKafkaUnsignedVarlong()
        return Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
    }
}

// MARK: - Lengths

extension ByteBuffer {
    /// Reads a length prefix: int16/int32 (-1 = null) or, compact, uvarint N+1 (0 = null).
    /// Returns nil for null; a length is never more than the bytes left.
    fileprivate mutating func readKafkaLength(compact: Bool, wide: Bool) throws(KafkaProtocolError) -> Int? {
        let length: Int64
        if compact {
            length = Int64(try self.readKafkaUnsignedVarint()) - 1
        } else if wide {
            length = Int64(try self.readKafkaInteger(as: Int32.self))
        } else {
            length = Int64(try self.readKafkaInteger(as: Int16.self))
        }
        if length == -1 { return nil }
        guard length >= 0 else { throw .invalidLength(length) }
        guard length <= Int64(self.readableBytes) else {
            throw .truncated(needed: Int(clamping: length), available: self.readableBytes)
        }
        return Int(length)
    }

    fileprivate mutating func writeKafkaLength(_ length: Int?, compact: Bool, wide: Bool) throws(KafkaProtocolError) {
        if compact {
            guard let length else { return self.writeKafkaUnsignedVarint(0) }
            guard length < Int(UInt32.max) else { throw .invalidLength(Int64(length)) }
            self.writeKafkaUnsignedVarint(UInt32(length + 1))
        } else if wide {
            guard let length else {
                self.writeInteger(Int32(-1))
                return
            }
            guard length <= Int(Int32.max) else { throw .invalidLength(Int64(length)) }
            self.writeInteger(Int32(length))
        } else {
            guard let length else {
                self.writeInteger(Int16(-1))
                return
            }
            guard length <= Int(Int16.max) else { throw .invalidLength(Int64(length)) }
            self.writeInteger(Int16(length))
        }
    }
}

// MARK: - Strings and bytes

extension ByteBuffer {
    public mutating func writeKafkaString(_ value: String, compact: Bool) throws(KafkaProtocolError) {
        try self.writeKafkaNullableString(value, compact: compact)
    }

    public mutating func writeKafkaNullableString(_ value: String?, compact: Bool) throws(KafkaProtocolError) {
        try self.writeKafkaLength(value.map { $0.utf8.count }, compact: compact, wide: false)
        if let value { self.writeString(value) }
    }

    public mutating func readKafkaString(compact: Bool) throws(KafkaProtocolError) -> String {
        guard let value = try self.readKafkaNullableString(compact: compact) else {
            throw .invalidLength(-1)
        }
        return value
    }

    public mutating func readKafkaNullableString(compact: Bool) throws(KafkaProtocolError) -> String? {
        guard let length = try self.readKafkaLength(compact: compact, wide: false) else { return nil }
        guard let bytes = self.readSlice(length: length) else {
            throw .truncated(needed: length, available: self.readableBytes)
        }
        guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            throw .invalidUTF8
        }
        return text
    }

    public mutating func writeKafkaBytes(_ value: [UInt8], compact: Bool) throws(KafkaProtocolError) {
        try self.writeKafkaNullableBytes(value, compact: compact)
    }

    public mutating func writeKafkaNullableBytes(_ value: [UInt8]?, compact: Bool) throws(KafkaProtocolError) {
        try self.writeKafkaLength(value?.count, compact: compact, wide: true)
        if let value { self.writeBytes(value) }
    }

    public mutating func readKafkaBytes(compact: Bool) throws(KafkaProtocolError) -> [UInt8] {
        guard let value = try self.readKafkaNullableBytes(compact: compact) else {
            throw .invalidLength(-1)
        }
        return value
    }

    public mutating func readKafkaNullableBytes(compact: Bool) throws(KafkaProtocolError) -> [UInt8]? {
        guard let length = try self.readKafkaLength(compact: compact, wide: true) else { return nil }
        guard let bytes = self.readBytes(length: length) else {
            throw .truncated(needed: length, available: self.readableBytes)
        }
        return bytes
    }
}

// MARK: - Arrays

extension ByteBuffer {
    public mutating func writeKafkaArray<Element>(
        _ value: [Element],
        compact: Bool,
        _ writeElement: (inout ByteBuffer, Element) throws(KafkaProtocolError) -> Void
    ) throws(KafkaProtocolError) {
        try self.writeKafkaNullableArray(value, compact: compact, writeElement)
    }

    public mutating func writeKafkaNullableArray<Element>(
        _ value: [Element]?,
        compact: Bool,
        _ writeElement: (inout ByteBuffer, Element) throws(KafkaProtocolError) -> Void
    ) throws(KafkaProtocolError) {
        try self.writeKafkaLength(value?.count, compact: compact, wide: true)
        for element in value ?? [] {
            try writeElement(&self, element)
        }
    }

    public mutating func readKafkaArray<Element>(
        compact: Bool,
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        guard let value = try self.readKafkaNullableArray(compact: compact, readElement) else {
            throw .invalidLength(-1)
        }
        return value
    }

    /// Every element takes at least one byte, so a count above the bytes left is refused
    /// before anything is allocated.
    public mutating func readKafkaNullableArray<Element>(
        compact: Bool,
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element]? {
        guard let count = try self.readKafkaLength(compact: compact, wide: true) else { return nil }
        var elements: [Element] = []
        // A count is bounded by the bytes left, not by what its elements take in memory (tens
        // of bytes each): reserve for a few thousand at most and let a longer array grow.
        elements.reserveCapacity(min(count, 4096))
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }
}

// MARK: - Tagged fields

extension ByteBuffer {
    /// Writes the tagged-field section: a count, then tag, size and bytes, by ascending tag.
    public mutating func writeKafkaTaggedFields(_ fields: [KafkaTaggedField]) throws(KafkaProtocolError) {
        let sorted = fields.sorted { $0.tag < $1.tag }
        self.writeKafkaUnsignedVarint(UInt32(sorted.count))
        for field in sorted {
            self.writeKafkaUnsignedVarint(field.tag)
            guard field.data.count < Int(UInt32.max) else { throw .invalidLength(Int64(field.data.count)) }
            self.writeKafkaUnsignedVarint(UInt32(field.data.count))
            self.writeBytes(field.data)
        }
    }

    /// Reads the count of a tagged-field section. Kafka's schemas define a handful of tagged
    /// fields per structure; each unknown one is kept (about 64 bytes from 2 on the wire), so a
    /// peer could make a frame cost 20 times its size. More than 1,024 in one structure is refused.
    public mutating func readKafkaTaggedFieldCount() throws(KafkaProtocolError) -> UInt32 {
        let count = try self.readKafkaUnsignedVarint()
        guard count <= 1024 else { throw .invalidLength(Int64(count)) }
        return count
    }

    /// Reads a tagged-field section none of whose tags the reader knows.
    public mutating func readKafkaTaggedFields() throws(KafkaProtocolError) -> [KafkaTaggedField] {
        let count = try self.readKafkaTaggedFieldCount()
        var fields: [KafkaTaggedField] = []
        for _ in 0..<count {
            let tag = try self.readKafkaUnsignedVarint()
            let data = try self.readKafkaTaggedFieldData()
            fields.append(KafkaTaggedField(tag: tag, data: Array(data.readableBytesView)))
        }
        return fields
    }

    /// Reads one tagged field's size and returns its bytes.
    public mutating func readKafkaTaggedFieldData() throws(KafkaProtocolError) -> ByteBuffer {
        let size = Int(try self.readKafkaUnsignedVarint())
        guard let data = self.readSlice(length: size) else {
            throw .truncated(needed: size, available: self.readableBytes)
        }
        return data
    }
}
