import KafkaProtocol
@testable import LookoutKafka
import NIOCore
import NIOEmbedded
import Testing

/// The handler on an embedded channel: the bytes it writes and how it treats the bytes it reads.
@Suite("Channel handler")
struct KafkaChannelHandlerTests {
    final class Harness {
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let negotiated: EventLoopPromise<[Int16: ClosedRange<Int16>]>

        init(maximumVersions: [Int16: Int16] = [:]) throws {
            self.channel = EmbeddedChannel(loop: loop)
            self.negotiated = loop.makePromise()
            let configuration = KafkaChannelHandler.Configuration(
                clientID: "lookout", requestTimeout: .seconds(5), maximumVersions: maximumVersions
            )
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maximumFrameSize: 1 << 20)))
            try channel.pipeline.syncOperations.addHandler(KafkaChannelHandler(configuration: configuration, negotiated: negotiated))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9092)).wait()
        }

        /// The next request frame written: its header and body.
        func sentRequest() throws -> (header: RequestHeader, body: ByteBuffer) {
            var frame = try #require(try channel.readOutbound(as: ByteBuffer.self))
            let size = try frame.readKafkaInteger(as: Int32.self)
            #expect(Int(size) == frame.readableBytes)
            let peek = frame
            let apiKey = try #require(peek.getInteger(at: peek.readerIndex, as: Int16.self))
            let version = try #require(peek.getInteger(at: peek.readerIndex + 2, as: Int16.self))
            let flexible = apiKey == 18 ? version >= 3 : (apiKey == 3 ? version >= 9 : false)
            let header = try RequestHeader(from: &frame, version: KafkaRequestFrame.headerVersion(flexible: flexible))
            return (header, frame)
        }

        func answer(correlationID: Int32, headerVersion: Int16 = 0, body: ByteBuffer) throws {
            var frame = ByteBuffer()
            frame.writeInteger(Int32(0))
            try ResponseHeader(correlationId: correlationID).encode(into: &frame, version: headerVersion)
            frame.writeImmutableBuffer(body)
            frame.setInteger(Int32(frame.readableBytes - 4), at: 0)
            try channel.writeInbound(frame)
        }

        func negotiate(_ apis: [ApiVersionsResponse.ApiVersion]) throws {
            let hello = try sentRequest()
            var body = ByteBuffer()
            try ApiVersionsResponse(errorCode: 0, apiKeys: apis).encode(into: &body, version: hello.header.requestApiVersion)
            try answer(correlationID: hello.header.correlationId, body: body)
        }

        func send(_ makeRequest: @escaping @Sendable (Int16) -> MetadataRequest) throws -> EventLoopFuture<KafkaRawResponse> {
            let promise = loop.makePromise(of: KafkaRawResponse.self)
            let task = KafkaRequestTask(
                apiKey: MetadataRequest.apiKey,
                clientVersions: MetadataRequest.validVersions,
                firstFlexibleVersion: MetadataRequest.firstFlexibleVersion,
                encodeBody: { (buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) in
                    try makeRequest(version).encode(into: &buffer, version: version)
                },
                promise: promise
            )
            try channel.writeOutbound(task)
            return promise.futureResult
        }
    }

    static let tansuLike: [ApiVersionsResponse.ApiVersion] = [
        .init(apiKey: 3, minVersion: 0, maxVersion: 12), .init(apiKey: 18, minVersion: 0, maxVersion: 3),
    ]

    @Test func startsWithApiVersions3ThenFallsBackTo0() throws {
        let harness = try Harness()
        let hello = try harness.sentRequest()
        #expect(hello.header.requestApiKey == 18)
        #expect(hello.header.requestApiVersion == 3)
        #expect(hello.header.correlationId == 0)
        #expect(hello.header.clientId == "lookout")

        // KIP-511: a broker that does not know version 3 answers in version 0.
        var refusal = ByteBuffer()
        try ApiVersionsResponse(errorCode: 35, apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 2)]).encode(into: &refusal, version: 0)
        try harness.answer(correlationID: 0, body: refusal)
        let retry = try harness.sentRequest()
        #expect(retry.header.requestApiVersion == 0)
        #expect(retry.header.correlationId == 1)

        var accepted = ByteBuffer()
        try ApiVersionsResponse(errorCode: 0, apiKeys: Self.tansuLike).encode(into: &accepted, version: 0)
        try harness.answer(correlationID: 1, body: accepted)
        #expect(try harness.negotiated.futureResult.wait() == [3: 0...12, 18: 0...3])
        _ = try harness.channel.finish()
    }

    @Test func requestsGoOutAtTheNegotiatedVersionAndAnswersComeBack() throws {
        let harness = try Harness(maximumVersions: [3: 9])
        let early = try harness.send { version in MetadataRequest(topics: version == 0 ? [] : nil) }
        try harness.negotiate(Self.tansuLike)
        let sent = try harness.sentRequest()
        #expect(sent.header.requestApiKey == 3)
        #expect(sent.header.requestApiVersion == 9)

        var body = ByteBuffer()
        try MetadataResponse(brokers: [.init(nodeId: 111, host: "h", port: 1)], clusterId: "c", controllerId: 111).encode(into: &body, version: 9)
        try harness.answer(correlationID: sent.header.correlationId, headerVersion: 1, body: body)
        var raw = try early.wait()
        #expect(raw.version == 9)
        let response = try MetadataResponse(from: &raw.body, version: 9)
        #expect(response.controllerId == 111)
        #expect(raw.body.readableBytes == 0)
        _ = try harness.channel.finish()
    }

    @Test func aTimeoutFailsTheRequestAndClosesTheConnection() throws {
        let harness = try Harness()
        try harness.negotiate(Self.tansuLike)
        let pending = try harness.send { _ in MetadataRequest(topics: nil) }
        _ = try harness.sentRequest()
        harness.loop.advanceTime(by: .seconds(6))
        #expect(throws: ConnectionError.timedOut(apiKey: 3)) { try pending.wait() }
        #expect(!harness.channel.isActive)
    }

    @Test func garbageFramesCloseTheConnectionAndFailWhatIsPending() throws {
        var random = SplitMix64(seed: 42)
        for round in 0..<300 {
            let harness = try Harness()
            try harness.negotiate(Self.tansuLike)
            let pending = try harness.send { _ in MetadataRequest(topics: nil) }
            let sent = try harness.sentRequest()
            var garbage = ByteBuffer()
            if round % 2 == 0 {
                // A well-framed answer with a right correlation id and a garbled body.
                let length = Int.random(in: 0...64, using: &random)
                garbage.writeInteger(Int32(4 + 1 + length))
                garbage.writeInteger(sent.header.correlationId)
                garbage.writeInteger(UInt8(0))
                for _ in 0..<length { garbage.writeInteger(UInt8.random(in: 0...255, using: &random)) }
            } else {
                for _ in 0..<Int.random(in: 1...64, using: &random) { garbage.writeInteger(UInt8.random(in: 0...255, using: &random)) }
            }
            _ = try? harness.channel.writeInbound(garbage)
            _ = try? harness.channel.finish()
            // Whatever the bytes, the request ends: answered (a garbled body is only caught
            // when the caller decodes it) or failed; never left hanging.
            var outcome: Result<KafkaRawResponse, any Error>?
            pending.assumeIsolated().whenComplete { outcome = $0 }
            harness.loop.run()
            #expect(outcome != nil, "round \(round)")
        }
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
