#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LookoutPolling
import Synchronization

/// `LOOKOUT_POLL_TRACE=FILE`: the console appends one JSON line per finished poll to FILE (its
/// environment, how late it started against its due time, how long it took), for the soak
/// (bench/soak) to judge that every poll came on time. Off unless set; the file is opened once,
/// append-only, never through a symbolic link, mode 0600. It holds names and times only.
final class PollTrace: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    static func fromEnvironment() -> PollTrace? {
        guard let path = ProcessInfo.processInfo.environment["LOOKOUT_POLL_TRACE"], !path.isEmpty, path.utf8.count < 4096 else { return nil }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        return descriptor >= 0 ? PollTrace(descriptor: descriptor) : nil
    }

    func write(_ timing: LivePoller.Timing) {
        let line = "{\"environment\":\"\(String(timing.environment.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }))\",\"late_ms\":\(Self.milliseconds(timing.late)),\"took_ms\":\(Self.milliseconds(timing.took)),\"at\":\(String(format: "%.3f", timing.finishedAt.timeIntervalSince1970))}\n"
        let bytes = Array(line.utf8)
        lock.withLock { _ in
            _ = bytes.withUnsafeBufferPointer { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
