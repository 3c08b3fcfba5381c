import KafkaProtocol
import NIOCore
import Testing

@Suite("Frame decoder")
struct FrameDecoderTests {
    @Test func waitsForTheWholeFrame() throws {
        var decoder = KafkaFrameDecoder()
        var input = buffer([0, 0, 0])
        #expect(try decoder.decode(buffer: &input) == nil)
        input = buffer([0, 0, 0, 6, 0, 0, 0, 1, 0xAA])
        #expect(try decoder.decode(buffer: &input) == nil)
        #expect(input.readableBytes == 9, "nothing consumed while incomplete")
        input.writeBytes([0xBB, 0, 0, 0, 4, 0, 0])
        #expect(try decoder.decode(buffer: &input)?.bytes == [0, 0, 0, 1, 0xAA, 0xBB])
        #expect(try decoder.decode(buffer: &input) == nil)
        input.writeBytes([0, 2])
        #expect(try decoder.decode(buffer: &input)?.bytes == [0, 0, 0, 2])
        #expect(input.readableBytes == 0)
    }

    @Test func refusesSizesOutsideTheLimits() {
        var decoder = KafkaFrameDecoder(maximumFrameSize: 1024)
        var tooLarge = buffer([0, 0, 4, 1])
        #expect(throws: KafkaProtocolError.frameSize(1025, maximum: 1024)) { try decoder.decode(buffer: &tooLarge) }
        var negative = buffer([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.frameSize(-1, maximum: 1024)) { try decoder.decode(buffer: &negative) }
        var noRoomForCorrelationID = buffer([0, 0, 0, 3, 1, 2, 3])
        #expect(throws: KafkaProtocolError.frameSize(3, maximum: 1024)) { try decoder.decode(buffer: &noRoomForCorrelationID) }
    }
}
