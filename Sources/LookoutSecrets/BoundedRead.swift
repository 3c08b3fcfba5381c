import Foundation

/// Reads of files and pipes that lookout did not write, and that often hold secrets: the AWS
/// CLI's config and credentials files, a `credential_process`'s output, a container's token
/// file, CA bundles, and lookout's own audit log. At most `limit` bytes each, so a file or a
/// program cannot make lookout allocate what it likes; what is larger is refused (or, for a log,
/// read from its end). The bytes are returned to the one caller that parses them, never logged.
public enum BoundedRead {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// Missing, not a file lookout may read, or a read that failed.
        case unreadable
        /// Longer than `limit` bytes: not read.
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .unreadable: "cannot be read"
            case .tooLarge(let limit): "is larger than \(BoundedRead.size(limit)): not read"
            }
        }

        /// "cannot read WHAT", and why when it is the size.
        public func message(_ what: String) -> String {
            switch self {
            case .unreadable: "cannot read \(what)"
            case .tooLarge(let limit): "cannot read \(what): it is larger than \(BoundedRead.size(limit))"
            }
        }
    }

    /// A CA bundle: the system's is about 200 KB.
    public static let certificateBundleLimit = 16 << 20

    /// The PEM text of the CA bundle at `path`.
    public static func certificateBundle(_ path: String) -> Result<String, Failure> {
        text(path, limit: certificateBundleLimit)
    }

    /// The whole of the file at `path`, if it is at most `limit` bytes.
    public static func file(_ path: String, limit: Int) -> Result<[UInt8], Failure> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        return read(handle, limit: limit)
    }

    /// Everything `handle` gives until its end, if that is at most `limit` bytes (a pipe: the
    /// reader stops at `limit` + 1 and the caller ends the writer).
    public static func read(_ handle: FileHandle, limit: Int) -> Result<[UInt8], Failure> {
        var bytes: [UInt8] = []
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: min(1 << 16, limit + 1 - bytes.count))
            } catch {
                return .failure(.unreadable)
            }
            guard let chunk, !chunk.isEmpty else { return .success(bytes) }
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { return .failure(.tooLarge(limit: limit)) }
        }
    }

    /// The last `limit` bytes of the file at `path` at most, from the start of a line: a log that
    /// grew past `limit` is read from its end. `skipped` is how many bytes before it were left.
    public static func tail(_ path: String, limit: Int) -> Result<(bytes: [UInt8], skipped: UInt64), Failure> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        let size: UInt64
        do { size = try handle.seekToEnd() } catch { return .failure(.unreadable) }
        var start = size > UInt64(limit) ? size - UInt64(limit) : 0
        var bytes: [UInt8]
        do {
            try handle.seek(toOffset: start)
            bytes = Array(try handle.read(upToCount: limit) ?? Data())  // what was appended since is left
        } catch {
            return .failure(.unreadable)
        }
        if start > 0 {
            // The first line is cut: leave it, so that what is read starts at a record.
            let newline = bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
            bytes.removeFirst(newline)
            start += UInt64(newline)
        }
        return .success((bytes, start))
    }

    /// The file at `path` as UTF-8 text (nil if it is not valid UTF-8), if it is at most `limit` bytes.
    public static func text(_ path: String, limit: Int) -> Result<String, Failure> {
        file(path, limit: limit).flatMap { bytes in
            String(validating: bytes, as: UTF8.self).map { .success($0) } ?? .failure(.unreadable)
        }
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
    }
}
