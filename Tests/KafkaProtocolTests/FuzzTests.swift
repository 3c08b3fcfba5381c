import KafkaProtocol
import NIOCore
import Testing

/// The decoders must never crash or hang on bytes from a broken or hostile peer: every input
/// either decodes or throws a `KafkaProtocolError`.
@Suite("Decoding garbage")
struct FuzzTests {
    @Test func randomBytesNeverCrashTheFrameDecoderOrAnyResponse() {
        var random = SplitMix64(seed: 0x5EED_0007)
        var outcomes = Outcomes()
        for _ in 0..<3000 {
            let length = Int.random(in: 0...300, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            var decoder = KafkaFrameDecoder(maximumFrameSize: 1 << 16)
            var input = buffer(bytes)
            while let frame = try? decoder.decode(buffer: &input) {
                _ = frame
            }
            for type in allResponseTypes {
                outcomes.add(decodeEveryVersion(type, bytes: bytes))
            }
        }
        print("random bytes: \(outcomes.decoded) decoded, \(outcomes.refused) refused")
        #expect(outcomes.decoded + outcomes.refused == 3000 * allResponseTypes.reduce(0) { $0 + $1.validVersions.count })
        #expect(outcomes.refused > outcomes.decoded, "random bytes are mostly refused")
        #expect(outcomes.unstable.isEmpty, "what decodes must encode and decode to itself: \(outcomes.unstable.prefix(5))")
    }

    @Test func truncatedMessagesAlwaysThrow() throws {
        var cuts = 0
        for type in allResponseTypes {
            cuts += try truncateEveryVersion(type)
        }
        print("truncated: \(cuts) prefixes of \(allResponseTypes.count) populated responses, every version, all refused")
        #expect(cuts >= 5_000)
    }

    private func truncateEveryVersion<M: KafkaResponseMessage>(_ type: M.Type) throws -> Int {
        var cuts = 0
        for version in M.validVersions {
            var full = ByteBuffer()
            try populatedSample(M.self, version: version).encode(into: &full, version: version)
            let bytes = full.bytes
            for cut in 0..<bytes.count {
                var prefix = buffer(Array(bytes[..<cut]))
                #expect(throws: KafkaProtocolError.self, "\(M.self) v\(version) cut at \(cut)") {
                    let message = try M(from: &prefix, version: version)
                    guard prefix.readableBytes == 0 else { throw KafkaProtocolError.trailingBytes(prefix.readableBytes) }
                    _ = message
                }
                cuts += 1
            }
        }
        return cuts
    }

    @Test func mutatedMessagesDecodeOrThrow() throws {
        var random = SplitMix64(seed: 0xBAD_F00D)
        var outcomes = Outcomes()
        for type in allResponseTypes {
            outcomes.add(try mutateEveryVersion(type, random: &random))
        }
        let versions = allResponseTypes.reduce(0) { $0 + $1.validVersions.count }
        print("mutated: \(outcomes.decoded) decoded (\(outcomes.normalized) normalized on encoding), \(outcomes.refused) refused, over \(versions) response versions")
        #expect(outcomes.decoded + outcomes.refused == versions * 400)
        #expect(outcomes.refused > 0)
        #expect(outcomes.decoded > 0)
        #expect(outcomes.unstable.isEmpty, "what decodes must encode and decode to itself: \(outcomes.unstable.prefix(5))")
    }

    private func mutateEveryVersion<M: KafkaResponseMessage>(_ type: M.Type, random: inout SplitMix64) throws -> Outcomes {
        var outcomes = Outcomes()
        for version in M.validVersions {
            var full = ByteBuffer()
            try populatedSample(M.self, version: version).encode(into: &full, version: version)
            let original = full.bytes
            for _ in 0..<400 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0...2, using: &random) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes[index] ^= 0x80
                    default: bytes.insert(0xFF, at: index)
                    }
                }
                outcomes.add(decode(M.self, bytes: bytes, version: version))
            }
        }
        return outcomes
    }

    struct Outcomes {
        var decoded = 0
        var refused = 0
        var unstable: [String] = []
        /// Decoded messages that changed on their first encoding (tagged fields reordered).
        var normalized = 0

        mutating func add(_ other: Outcomes) {
            normalized += other.normalized
            decoded += other.decoded
            refused += other.refused
            unstable += other.unstable
        }
    }

    /// Decodes; what decodes must encode, and its bytes must decode and encode to themselves.
    /// (The first encoding may differ from the input: tagged fields that came out of order are
    /// written in order, a repeated known tag once.)
    private func decode<M: KafkaResponseMessage>(_ type: M.Type, bytes: [UInt8], version: Int16) -> Outcomes {
        var outcomes = Outcomes()
        var input = buffer(bytes)
        do {
            let message = try M(from: &input, version: version)
            outcomes.decoded += 1
            do {
                var first = ByteBuffer()
                try message.encode(into: &first, version: version)
                let written = first.bytes
                let second = try M(from: &first, version: version)
                var again = ByteBuffer()
                try second.encode(into: &again, version: version)
                if again.bytes != written || first.readableBytes != 0 { outcomes.unstable.append("\(M.self) v\(version) \(bytes)") }
                if second != message { outcomes.normalized += 1 }
            } catch {
                outcomes.unstable.append("\(M.self) v\(version): \(error) \(bytes)")
            }
        } catch {
            outcomes.refused += 1
        }
        return outcomes
    }

    private func decodeEveryVersion<M: KafkaResponseMessage>(_ type: M.Type, bytes: [UInt8]) -> Outcomes {
        var outcomes = Outcomes()
        for version in M.validVersions {
            outcomes.add(decode(M.self, bytes: bytes, version: version))
        }
        return outcomes
    }
}
