import Foundation
import LookoutEnvironment
import Testing

/// `OwnFiles.read` reads a file in place at its size and one byte more: every size around the
/// limit and the 64 KB pieces it reads beyond that comes back whole or is refused.
@Suite struct OwnFilesReadTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-ownfiles-\(UUID().uuidString)").path

    @Test(arguments: [0, 1, 4095, 4096, 65_536, 65_537, 300_001])
    func aFileComesBackWholeOrIsRefusedOverItsLimit(size: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/file"
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]))
        for limit in [size, size + 1, 70_000] {
            if size <= limit {
                #expect(try OwnFiles.read(path, limit: limit) == bytes)
            } else {
                #expect(throws: OwnFiles.Refused.self) { try OwnFiles.read(path, limit: limit) }
            }
        }
        if size > 0 {
            #expect(throws: OwnFiles.Refused.self) { try OwnFiles.read(path, limit: size - 1) }
        }
        #expect(try OwnFiles.read(folder + "/missing", limit: 10) == nil)
    }
}
