#if canImport(Glibc)
import Glibc
#endif

// Files without Foundation (kept out of the fuzzed code's way).
struct FileError: Error, CustomStringConvertible {
    var description: String
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw FileError(description: "cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65_536, file) }
        if count == 0 { break }
        bytes += chunk[0..<count]
    }
    return bytes
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let file = fopen(path, "wb") else { throw FileError(description: "cannot write \(path)") }
    defer { fclose(file) }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, file) }
}
