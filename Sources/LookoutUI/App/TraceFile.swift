#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHeap
import Foundation
import LookoutPolling
import Synchronization

/// A file the console appends JSON lines to when a variable names it, for the benches:
/// `LOOKOUT_POLL_TRACE` (each finished poll: its environment, how late it started against its due
/// time, how long it took, and the C heap's bytes in use and held; bench/soak.py) and `LOOKOUT_FRAME_TRACE` (each key: the time from
/// reading it to its frame drawn, the view and its row count; bench/scale.py --console) and
/// `LOOKOUT_STATE_TRACE` (`snapshot` and `check`: each state file's read, update and write, and
/// its size; bench/scale.py). Off
/// unless set; opened once, append-only, never through a symbolic link, mode 0600. The lines hold
/// names, counts and times only.
public final class TraceFile: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    public static func fromEnvironment(_ variable: String) -> TraceFile? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty, path.utf8.count < 4096 else { return nil }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        return descriptor >= 0 ? TraceFile(descriptor: descriptor) : nil
    }

    /// One JSON object of `fields` (string values reduced to letters, digits, `-`, `_` and `:`).
    func write(_ fields: KeyValuePairs<String, any Sendable>) {
        let body = fields.map { key, value -> String in
            switch value {
            case let number as Int: "\"\(key)\":\(number)"
            case let number as Int64: "\"\(key)\":\(number)"
            case let number as Double: "\"\(key)\":\(String(format: "%.3f", number))"
            default: "\"\(key)\":\"\(Self.plain(String(describing: value)))\""
            }
        }.joined(separator: ",")
        let bytes = Array(("{" + body + "}\n").utf8)
        lock.withLock { _ in
            _ = bytes.withUnsafeBufferPointer { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        }
    }

    func write(_ timing: LivePoller.Timing) {
        write(["environment": timing.environment, "late_ms": Self.milliseconds(timing.late), "took_ms": Self.milliseconds(timing.took),
               "at": timing.finishedAt.timeIntervalSince1970, "heap_in_use": lookout_heap_in_use(), "heap_held": lookout_heap_held(),
               "trim_ms": Heap.lastTrimDuration.map { Double(Self.milliseconds($0 * 1000)) / 1000 } ?? -1])
    }

    /// A state file's update (read, remember, write), its time and size.
    public func writeState(environment: String, took: Duration, bytes: Int) {
        write(["environment": environment, "state_ms": Double(Self.milliseconds(took * 1000)) / 1000, "state_bytes": bytes])
    }

    static func plain(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_:".unicodeScalars.contains($0)) }.prefix(64))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
