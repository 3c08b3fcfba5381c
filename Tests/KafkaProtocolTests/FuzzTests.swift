import KafkaProtocol
import NIOCore
import Testing

/// The decoders must never crash or hang on bytes from a broken or hostile peer: every input
/// either decodes or throws a `KafkaProtocolError`.
@Suite("Decoding garbage")
struct FuzzTests {
    @Test func randomBytesNeverCrashTheFrameDecoderOrAnyResponse() {
        var random = SplitMix64(seed: 0x5EED_0007)
        var decoded = 0
        for _ in 0..<3000 {
            let length = Int.random(in: 0...300, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            var decoder = KafkaFrameDecoder(maximumFrameSize: 1 << 16)
            var input = buffer(bytes)
            while let frame = try? decoder.decode(buffer: &input) {
                _ = frame
            }
            for type in allResponseTypes {
                decoded += decodeEveryVersion(type, bytes: bytes)
            }
        }
        // Random bytes rarely form a message; the count shows the decoders ran.
        #expect(decoded >= 0)
    }

    @Test func truncatedMessagesAlwaysThrow() throws {
        for version in MetadataResponse.validVersions {
            var full = ByteBuffer()
            try sampleMetadataResponse(version: version).encode(into: &full, version: version)
            let bytes = full.bytes
            for cut in 0..<bytes.count {
                var prefix = buffer(Array(bytes[..<cut]))
                #expect(throws: KafkaProtocolError.self, "v\(version) cut at \(cut)") {
                    let message = try MetadataResponse(from: &prefix, version: version)
                    guard prefix.readableBytes == 0 else { throw KafkaProtocolError.trailingBytes(prefix.readableBytes) }
                    _ = message
                }
            }
        }
    }

    @Test func mutatedMessagesDecodeOrThrow() throws {
        var random = SplitMix64(seed: 0xBAD_F00D)
        var outcomes = (decoded: 0, refused: 0)
        for version in MetadataResponse.validVersions {
            var full = ByteBuffer()
            try sampleMetadataResponse(version: version).encode(into: &full, version: version)
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
                var input = buffer(bytes)
                do {
                    _ = try MetadataResponse(from: &input, version: version)
                    outcomes.decoded += 1
                } catch {
                    outcomes.refused += 1
                }
            }
        }
        #expect(outcomes.decoded + outcomes.refused == 13 * 400)
        #expect(outcomes.refused > 0)
    }

    private func decodeEveryVersion<M: KafkaResponseMessage>(_ type: M.Type, bytes: [UInt8]) -> Int {
        var decoded = 0
        for version in M.validVersions {
            var input = buffer(bytes)
            if (try? M(from: &input, version: version)) != nil { decoded += 1 }
        }
        return decoded
    }
}
