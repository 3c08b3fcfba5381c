import Foundation

/// Something took longer than its own timeout.
public struct Timeout: Error, Sendable, CustomStringConvertible {
    public let after: Duration
    public var description: String { "timed out after \(after.formattedSeconds)" }
}

extension Duration {
    public var formattedSeconds: String {
        let (seconds, attoseconds) = components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value))s" : String(format: "%.1fs", value)
    }

    public var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// Runs `operation`, and gives up after `limit` even when the operation does not answer to
/// cancellation (a hung connection must never hold the console or a one-shot command).
public func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let gate = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.set(continuation)
        let work = Task {
            do { gate.resume(with: .success(try await operation())) } catch { gate.resume(with: .failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            if gate.resume(with: .failure(Timeout(after: limit))) { work.cancel() }
        }
    }
}

/// Runs `operation`, and gives up as soon as `giveUp` (asked every `interval`) names an error,
/// even when the operation does not answer to cancellation: a read an action no longer needs
/// (it was interrupted) is left behind, its answer dropped.
public func withGiveUp<T: Sendable>(checkEvery interval: Duration, _ giveUp: @escaping @Sendable () -> (any Error)?,
                                    _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    if let error = giveUp() { throw error }
    let gate = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.set(continuation)
        let work = Task {
            do { gate.resume(with: .success(try await operation())) } catch { gate.resume(with: .failure(error)) }
        }
        Task {
            while !gate.isDone {
                if let error = giveUp() {
                    if gate.resume(with: .failure(error)) { work.cancel() }
                    return
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Resumes a continuation once; later results are dropped.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var pending: Result<T, any Error>?
    private var done = false

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let pending {
            lock.unlock()
            continuation.resume(with: pending)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    var isDone: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !done else { lock.unlock(); return false }
        done = true
        if let continuation {
            self.continuation = nil
            lock.unlock()
            continuation.resume(with: result)
        } else {
            pending = result
            lock.unlock()
        }
        return true
    }
}

