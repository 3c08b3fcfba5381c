import Foundation

/// The package root, found from this file's path (Tests/SigV4Tests/Support.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The Python that has botocore: `LOOKOUT_PYTHON` or `python3` from the PATH.
let python = ProcessInfo.processInfo.environment["LOOKOUT_PYTHON"] ?? "python3"

struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
}

/// Runs a command to completion, reading its output on the side so that a large output cannot stall it.
func run(_ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errorData = LockedData()
    let reader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.done { usleep(1000) }
    return ProcessResult(
        status: process.terminationStatus, stdout: output, stderr: String(decoding: errorData.data, as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?
    func set(_ data: Data) { lock.withLock { value = data } }
    var done: Bool { lock.withLock { value != nil } }
    var data: Data { lock.withLock { value ?? Data() } }
}
