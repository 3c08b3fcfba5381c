import CZlib

/// A gzip stream written piece by piece (zlib's deflate, level 1: a scrape's text is repetitive,
/// and the fastest level already shrinks it some fifteen times). The whole of zlib's use is here.
final class GzipWriter {
    private var stream = z_stream()
    private(set) var output: [UInt8] = []
    private var open = false
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    struct Failed: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "zlib failed (\(code))" }
    }

    init() throws(Failed) {
        // windowBits 15 + 16: a gzip header and trailer, not a raw zlib stream
        let result = deflateInit2_(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard result == Z_OK else { throw Failed(code: result) }
        open = true
    }

    deinit {
        if open { deflateEnd(&stream) }
    }

    func write(_ bytes: [UInt8]) throws(Failed) {
        try run(bytes, flush: Z_NO_FLUSH)
    }

    /// Ends the stream; `output` then holds the whole gzip file.
    func finish() throws(Failed) {
        try run([], flush: Z_FINISH)
        deflateEnd(&stream)
        open = false
    }

    private func run(_ input: [UInt8], flush: Int32) throws(Failed) {
        var failure: Int32?
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            repeat {
                let result: Int32 = buffer.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    return deflate(&stream, flush)
                }
                guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                    failure = result
                    return
                }
                let produced = buffer.count - Int(stream.avail_out)
                output.append(contentsOf: buffer[0..<produced])
                if result == Z_STREAM_END { break }
            } while stream.avail_out == 0 || (flush == Z_FINISH)
            stream.next_in = nil
        }
        if let failure { throw Failed(code: failure) }
    }
}
