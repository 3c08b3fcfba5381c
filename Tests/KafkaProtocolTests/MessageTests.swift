import KafkaProtocol
import NIOCore
import Testing

@Suite("Generated messages")
struct MessageTests {
    @Test func everyMessageRoundTripsAtEveryVersion() throws {
        for type in allMessageTypes {
            try roundTripDefault(type)
        }
    }

    private func roundTripDefault<M: KafkaMessage>(_ type: M.Type) throws {
        for version in M.validVersions {
            let message = M()
            var buffer = ByteBuffer()
            try message.encode(into: &buffer, version: version)
            let decoded = try M(from: &buffer, version: version)
            #expect(decoded == message, "\(M.self) v\(version)")
            #expect(buffer.readableBytes == 0, "\(M.self) v\(version)")
        }
        #expect(throws: KafkaProtocolError.self) {
            var buffer = ByteBuffer()
            _ = try M(from: &buffer, version: M.validVersions.upperBound + 1)
        }
    }

    @Test func everyMessagePopulatedRoundTripsAtEveryVersion() throws {
        var roundTrips = 0
        var empty: [String] = []
        for type in allMessageTypes {
            roundTrips += try roundTripPopulated(type, empty: &empty)
        }
        // 22 messages, 127 versions in all.
        #expect(roundTrips == allMessageTypes.reduce(0) { $0 + $1.validVersions.count })
        #expect(roundTrips == 127)
        // Only versions that carry no field at all (nor tagged fields) may equal the default.
        #expect(empty == ["ApiVersionsRequest v0", "ApiVersionsRequest v1", "ApiVersionsRequest v2",
                          "ListGroupsRequest v0", "ListGroupsRequest v1", "ListGroupsRequest v2"])
    }

    private func roundTripPopulated<M: KafkaMessage>(_ type: M.Type, empty: inout [String]) throws -> Int {
        var count = 0
        for version in M.validVersions {
            let sample = populatedSample(M.self, version: version)
            if sample == M() { empty.append("\(M.self) v\(version)") }
            var buffer = ByteBuffer()
            try sample.encode(into: &buffer, version: version)
            let decoded = try M(from: &buffer, version: version)
            #expect(decoded == sample, "\(M.self) v\(version)")
            #expect(buffer.readableBytes == 0, "\(M.self) v\(version)")
            count += 1
        }
        return count
    }

    @Test func requestFramesMatchKnownBytes() throws {
        var v0 = ByteBuffer()
        try KafkaRequestFrame.write(MetadataRequest(topics: []), version: 0, correlationID: 1, clientID: "lookout", into: &v0)
        #expect(v0.bytes == [0, 0, 0, 21, 0, 3, 0, 0, 0, 0, 0, 1, 0, 7] + Array("lookout".utf8) + [0, 0, 0, 0])

        var v9 = ByteBuffer()
        let request = MetadataRequest(topics: nil, allowAutoTopicCreation: false)
        try KafkaRequestFrame.write(request, version: 9, correlationID: 1, clientID: "lookout", into: &v9)
        // Header v2 keeps the classic client id string, then an empty tag section.
        #expect(v9.bytes == [0, 0, 0, 23, 0, 3, 0, 9, 0, 0, 0, 1, 0, 7] + Array("lookout".utf8) + [0] + [0, 0, 0, 0, 0])

        var apiVersions = ByteBuffer()
        let hello = ApiVersionsRequest(clientSoftwareName: "lookout", clientSoftwareVersion: "0.1.0")
        try KafkaRequestFrame.write(hello, version: 3, correlationID: 0, clientID: nil, into: &apiVersions)
        #expect(apiVersions.bytes == [0, 0, 0, 26, 0, 18, 0, 3, 0, 0, 0, 0, 0xFF, 0xFF, 0]
            + [8] + Array("lookout".utf8) + [6] + Array("0.1.0".utf8) + [0])
    }

    @Test func aFieldTheVersionCannotCarryMustHoldItsDefault() throws {
        var buffer = ByteBuffer()
        #expect(throws: KafkaProtocolError.unsupportedField(field: "MetadataRequest.allowAutoTopicCreation", version: 3)) {
            try MetadataRequest(topics: nil, allowAutoTopicCreation: false).encode(into: &buffer, version: 3)
        }
        #expect(throws: KafkaProtocolError.unexpectedNull(field: "MetadataRequest.topics", version: 0)) {
            try MetadataRequest(topics: nil).encode(into: &buffer, version: 0)
        }
        // Ignorable fields are dropped silently, as Kafka's own client does.
        try MetadataRequest(topics: [.init(topicId: KafkaUUID(mostSignificantBits: 1, leastSignificantBits: 1), name: "t")])
            .encode(into: &buffer, version: 1)
    }

    @Test func apiVersionsResponseVersion0() throws {
        let bytes: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3]
        var input = buffer(bytes)
        let response = try ApiVersionsResponse(from: &input, version: 0)
        #expect(response.errorCode == 0)
        #expect(response.apiKeys == [.init(apiKey: 18, minVersion: 0, maxVersion: 3)])
    }

    @Test func apiVersionsResponseVersion3WithTaggedFields() throws {
        let known: [UInt8] = [0, 0, 2, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0, 0]
            + [1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 5]
        var input = buffer(known)
        let response = try ApiVersionsResponse(from: &input, version: 3)
        #expect(response.finalizedFeaturesEpoch == 5)
        #expect(response.apiKeys.count == 1)
        var output = ByteBuffer()
        try response.encode(into: &output, version: 3)
        #expect(output.bytes == known)

        // A tag this version does not know is kept and written back as it came.
        let unknown: [UInt8] = [0, 0, 1, 0, 0, 0, 0, 1, 7, 2, 0xAB, 0xCD]
        var unknownInput = buffer(unknown)
        let withUnknown = try ApiVersionsResponse(from: &unknownInput, version: 3)
        #expect(withUnknown.unknownTaggedFields == [KafkaTaggedField(tag: 7, data: [0xAB, 0xCD])])
        var rewritten = ByteBuffer()
        try withUnknown.encode(into: &rewritten, version: 3)
        #expect(rewritten.bytes == unknown)

        // More than 1,024 tagged fields in one structure is refused before any is read, in the
        // generated decoders (ApiVersions knows tags of its own) as in the shared reader.
        let flood: [UInt8] = [0, 0, 1, 0, 0, 0, 0] + [0x81, 0x08] + [UInt8](repeating: 0, count: 2_100)  // 1,025 tags
        var floodInput = buffer(flood)
        #expect(throws: KafkaProtocolError.invalidLength(1025)) { _ = try ApiVersionsResponse(from: &floodInput, version: 3) }
    }

    @Test func responseHeaderVersionFollowsTheApi() throws {
        #expect(KafkaResponseFrame.headerVersion(apiKey: 3, flexible: true) == 1)
        #expect(KafkaResponseFrame.headerVersion(apiKey: 3, flexible: false) == 0)
        #expect(KafkaResponseFrame.headerVersion(apiKey: 18, flexible: true) == 0)
        // correlation id 9, empty tag section, then a DescribeCluster v0 body.
        var body = ByteBuffer()
        try DescribeClusterResponse(clusterId: "c", controllerId: 111).encode(into: &body, version: 0)
        let frame = buffer([0, 0, 0, 9, 0] + body.bytes)
        #expect(KafkaResponseFrame.correlationID(of: frame) == 9)
        let decoded = try KafkaResponseFrame.decode(DescribeClusterResponse.self, frame: frame, version: 0)
        #expect(decoded.clusterId == "c")
        #expect(decoded.controllerId == 111)
        let trailing = buffer([0, 0, 0, 9, 0] + body.bytes + [0])
        #expect(throws: KafkaProtocolError.trailingBytes(1)) {
            try KafkaResponseFrame.decode(DescribeClusterResponse.self, frame: trailing, version: 0)
        }
    }
}
