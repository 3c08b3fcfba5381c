import Foundation
import LookoutTestSupport
import Testing
@testable import LookoutAWS

/// Reads of files and pipes lookout did not write stop at their limit (LookoutSecrets' BoundedRead).
@Suite("Bounded reads")
struct BoundedReadTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-bounded-\(UUID().uuidString)").path

    func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aFileOverItsLimitIsRefusedAndOneAtItIsRead() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try write("bundle.pem", String(repeating: "a", count: 4096))
        #expect(BoundedRead.file(path, limit: 4096).map(\.count) == .success(4096))
        #expect(BoundedRead.file(path, limit: 4095).map(\.count) == .failure(.tooLarge(limit: 4095)))
        #expect(BoundedRead.Failure.tooLarge(limit: 16 << 20).message("the CA file x") == "cannot read the CA file x: it is larger than 16 MiB")
        #expect(BoundedRead.file(folder + "/missing", limit: 10).map(\.count) == .failure(.unreadable))
    }

    @Test func invalidUTF8IsNotText() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/config"
        try Data([0x5B, 0xFF, 0xFE, 0x5D]).write(to: URL(fileURLWithPath: path))
        #expect(BoundedRead.text(path, limit: 100).map(\.count) == .failure(.unreadable))
    }

    @Test func aLogOverItsLimitIsReadFromItsEndAtALine() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = (0..<100).map { "record \($0)" }
        let path = try write("audit.jsonl", lines.joined(separator: "\n") + "\n")
        let tail = try BoundedRead.tail(path, limit: 50).get()
        let text = String(decoding: tail.bytes, as: UTF8.self)
        #expect(text.hasPrefix("record "), "starts at a line: \(text)")
        #expect(text.hasSuffix("record 99\n"))
        #expect(tail.skipped + UInt64(tail.bytes.count) == UInt64(lines.joined(separator: "\n").utf8.count + 1))
        let whole = try BoundedRead.tail(path, limit: 1 << 20).get()
        #expect(whole.skipped == 0 && whole.bytes.count == lines.joined(separator: "\n").utf8.count + 1)
    }

    /// A credential_process that never stops writing (`yes`): before, its output was read to its
    /// end (never); now the read stops at 1 MiB, the program is ended and the profile fails.
    @Test func aCredentialProcessThatWritesWithoutEndIsStoppedAt1MiB() async throws {
        let yes = try #require(which("yes"), "yes on PATH")
        let process = ProcessCredentials(command: yes, environment: [:], profile: "endless")
        let error = await #expect(throws: CredentialsError.self) { _ = try await process.load() }
        #expect(error.map { "\($0)" }?.contains("larger than 1 MiB") == true, "\(String(describing: error))")
    }
}
