import Foundation
import SigV4

/// AWS credentials as resolved by a provider. The secret parts are ``SecretValue``s.
public struct Credentials: Sendable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: SecretValue
    public var sessionToken: SecretValue?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// Which provider found them, e.g. "shared profile kafka-prod (assume role)".
    public var source: String

    public init(
        accessKeyId: String, secretAccessKey: SecretValue, sessionToken: SecretValue? = nil,
        expiration: Date? = nil, source: String
    ) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "Credentials(\(accessKeyId), from \(source)"
            + (expiration.map { ", expires \(ISO8601.format($0))" } ?? "") + ")"
    }

    var signing: SigV4Credentials {
        SigV4Credentials(
            accessKeyId: accessKeyId, secretAccessKey: secretAccessKey.reveal(),
            sessionToken: sessionToken?.reveal())
    }

    /// The strings that must never appear in an error or a log.
    var secrets: [String] {
        [secretAccessKey.reveal()] + (sessionToken.map { [$0.reveal()] } ?? [])
    }
}

/// Why no credentials could be had. Names the providers that were tried; never holds a secret.
public enum CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every provider of the chain was tried and none had credentials.
    case notFound(environment: String?, tried: [String])
    /// A provider was configured but failed (a bad profile, STS refused the role, a process failed).
    case providerFailed(provider: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let environment, let tried):
            "no AWS credentials found" + (environment.map { " for environment \($0)" } ?? "")
                + "; tried: " + tried.joined(separator: ", ")
        case .providerFailed(let provider, let reason):
            "\(provider): \(reason)"
        }
    }
}

/// Something that hands out credentials.
public protocol CredentialProvider: Sendable {
    func credentials() async throws(CredentialsError) -> Credentials
}

/// One link of the credential chain: nil when it does not apply (nothing configured for it),
/// an error when it applies but fails.
protocol ChainLink: Sendable {
    var name: String { get }
    func load() async throws(CredentialsError) -> Credentials?
}

/// Fixed credentials, e.g. given in code.
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials

    public init(_ value: Credentials) {
        self.value = value
    }

    public func credentials() async throws(CredentialsError) -> Credentials {
        value
    }
}

/// RFC 3339 / ISO 8601 times as AWS writes them, without a formatter (not Sendable) or a locale.
enum ISO8601 {
    /// `2024-06-01T12:00:00Z`, `2024-06-01T12:00:00.123Z`, `2024-06-01T12:00:00+02:00`.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.trimmingSpaces.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard let hours = number(index + 1, 2), let minutes = number(index + 4, 2) else { return nil }
                offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
                index += 6
            default:
                return nil
            }
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(secondOfDay / 3600)):"
            + "\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60))Z"
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
