import KafkaProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

// libFuzzer target for the Kafka decoders: the frame decoder and every response message
// lookout decodes, at every version. Built with `-sanitize=fuzzer -DFUZZING` by scripts/fuzz;
// a plain build is a replay tool (`FuzzKafka FILE...` runs each input once; `FuzzKafka --seeds
// DIR` writes the seed corpus: every response at its defaults, at every version).

/// Each response type as its decoder and its seeds, in one list: byte 0 of an input picks one.
struct Response: Sendable {
    let name: String
    let decode: @Sendable (UInt8, [UInt8]) -> Void
    let seeds: @Sendable (Int) -> [[UInt8]]

    init<M: KafkaResponseMessage>(_ type: M.Type) {
        name = "\(type)"
        decode = { version, body in decodeBody(M.self, version: version, body: body) }
        seeds = { index in seed(M.self, index: index) }
    }
}

let responses = [
    Response(ApiVersionsResponse.self), Response(MetadataResponse.self), Response(DescribeClusterResponse.self),
    Response(ListGroupsResponse.self), Response(FindCoordinatorResponse.self), Response(DescribeGroupsResponse.self),
    Response(OffsetFetchResponse.self), Response(ListOffsetsResponse.self), Response(SaslHandshakeResponse.self),
    Response(SaslAuthenticateResponse.self),
]

/// One input: the whole of it through the frame decoder; then byte 0 picks the response type,
/// byte 1 its version (modulo the versions it has), and the rest is its body.
func fuzzOne(_ bytes: [UInt8]) {
    var frames = KafkaFrameDecoder(maximumFrameSize: 1 << 20)
    var stream = ByteBuffer(bytes: bytes)
    while let frame = try? frames.decode(buffer: &stream) { _ = frame }
    guard bytes.count >= 2 else { return }
    responses[Int(bytes[0]) % responses.count].decode(bytes[1], Array(bytes[2...]))
}

func decodeBody<M: KafkaResponseMessage>(_ type: M.Type, version: UInt8, body: [UInt8]) {
    let versions = M.validVersions
    let chosen = versions.lowerBound + Int16(Int(version) % versions.count)
    var buffer = ByteBuffer(bytes: body)
    // What decodes must encode again without a trap.
    if let message = try? KafkaResponseFrame.decodeBody(M.self, body: &buffer, version: chosen) {
        var again = ByteBuffer()
        try? message.encode(into: &again, version: chosen)
    }
}

func seed<M: KafkaResponseMessage>(_ type: M.Type, index: Int) -> [[UInt8]] {
    M.validVersions.compactMap { version in
        var buffer = ByteBuffer()
        guard (try? M().encode(into: &buffer, version: version)) != nil else { return nil }
        return [UInt8(index), UInt8(version - M.validVersions.lowerBound)] + Array(buffer.readableBytesView)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : [])
    return 0
}

// SwiftPM links an executable target's entry point as `FuzzKafka_main`: hand libFuzzer's driver
// the process from there (without that renaming, libFuzzer's own `main` runs and this is unused).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzKafka_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzerTestOneInput)
}
#else
@main
struct Replay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--seeds", arguments.count == 2 {
            var written = 0
            for (index, response) in responses.enumerated() {
                for (number, bytes) in response.seeds(index).enumerated() {
                    try writeFile(arguments[1] + "/\(response.name)-\(number)", bytes)
                    written += 1
                }
            }
            print("\(written) seeds in \(arguments[1])")
            return
        }
        for path in arguments { fuzzOne(try readFile(path)) }
        print("\(arguments.count) inputs replayed")
    }
}
#endif
