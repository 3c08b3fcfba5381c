import Foundation

/// Revokes one superseded certificate at the Private CA: never the one in service. Pure.
public struct RevokeStateMachine: Sendable {
    public enum Step: String, Sendable, Equatable {
        case readCurrent = "read-current"
        case revoke = "revoke"
    }

    public enum Action: Sendable, Equatable {
        /// Read the certificate in service from SSM; report with ``currentRead(serial:)``.
        case readCurrent
        /// RevokeCertificate (reason SUPERSEDED); report with ``revoked()``.
        case revoke(serial: String)
        case completed(step: Step, note: String, next: Finish)
        case failed(step: Step, reason: String, refused: Bool)

        var isRevoke: Bool {
            if case .revoke = self { return true }
            return false
        }
    }

    public enum Finish: Sendable, Equatable {
        case revoke(serial: String)
        case finished(serial: String)
    }

    enum State: Sendable, Equatable {
        case idle, reading, revoking, finished, failed
    }

    /// The serial to revoke, normalised (``normalise(serial:)``).
    public let serial: String
    var state: State = .idle

    public init(serial: String) {
        self.serial = Self.normalise(serial: serial)
    }

    /// Lower-case hex byte pairs joined by colons, as ACM PCA and lookout write serials; accepts
    /// `0A1B...`, `0a:1b:...` and openssl's `serial=0A1B...`; nil when it is not hex.
    public static func normalise(serial text: String) -> String {
        var hex = text.lowercased().replacingOccurrences(of: "serial=", with: "").filter { $0 != ":" && !$0.isWhitespace }
        if hex.count % 2 == 1 { hex = "0" + hex }
        while hex.count > 2, hex.hasPrefix("00") { hex = String(hex.dropFirst(2)) }
        let characters = Array(hex)
        return stride(from: 0, to: characters.count, by: 2).map { String(characters[$0..<($0 + 2)]) }.joined(separator: ":")
    }

    public static func isHex(_ serial: String) -> Bool {
        !serial.isEmpty && serial.allSatisfy { $0 == ":" || $0.isHexDigit }
    }

    public mutating func start() -> Action {
        switch state {
        case .idle:
            guard Self.isHex(serial) else {
                state = .failed
                return .failed(step: .readCurrent, reason: "`\(serial)` is not a hexadecimal serial", refused: true)
            }
            state = .reading
            return .readCurrent
        case .reading, .revoking, .finished, .failed:
            return .failed(step: .readCurrent, reason: "internal error: start in state \(state)", refused: false)
        }
    }

    /// `serial` of the leaf in service now (normalised).
    public mutating func currentRead(serial current: String) -> Action {
        switch state {
        case .reading:
            if Self.normalise(serial: current) == serial {
                state = .failed
                return .failed(step: .readCurrent, reason: "\(serial) is the certificate in service; reissue first, then revoke the superseded one", refused: true)
            }
            state = .revoking
            return .completed(step: .readCurrent, note: "in service: \(Self.normalise(serial: current))", next: .revoke(serial: serial))
        case .idle, .revoking, .finished, .failed:
            state = .failed
            return .failed(step: .readCurrent, reason: "internal error: currentRead in state \(state)", refused: false)
        }
    }

    public mutating func revoked() -> Action {
        switch state {
        case .revoking:
            state = .finished
            return .completed(step: .revoke, note: "\(serial) revoked (SUPERSEDED)", next: .finished(serial: serial))
        case .idle, .reading, .finished, .failed:
            state = .failed
            return .failed(step: .revoke, reason: "internal error: revoked in state \(state)", refused: false)
        }
    }

    /// A SIGINT or SIGTERM came: the run stops before its next call (nothing was revoked).
    public mutating func interrupted(by signal: String) -> Action {
        switch state {
        case .reading:
            state = .failed
            return .failed(step: .readCurrent, reason: "interrupted by \(signal); nothing was revoked", refused: false)
        case .revoking:
            state = .failed
            return .failed(step: .revoke, reason: "interrupted by \(signal) before RevokeCertificate; nothing was revoked", refused: false)
        case .idle, .finished, .failed:
            state = .failed
            return .failed(step: .readCurrent, reason: "internal error: interrupted in state \(state)", refused: false)
        }
    }

    public mutating func stepFailed(_ reason: String) -> Action {
        switch state {
        case .reading:
            state = .failed
            return .failed(step: .readCurrent, reason: reason, refused: false)
        case .revoking:
            state = .failed
            return .failed(step: .revoke, reason: reason + " (the certificate may or may not be revoked; a re-run revokes it again)", refused: false)
        case .idle, .finished, .failed:
            return .failed(step: .readCurrent, reason: reason, refused: false)
        }
    }
}
