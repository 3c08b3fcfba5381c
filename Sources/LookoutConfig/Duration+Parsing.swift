import Foundation

/// A duration written the way the config file writes it: `500ms`, `10s`, `5m`, `1h`, `2d`.
public struct ConfigDuration: Sendable, Hashable, CustomStringConvertible {
    public let milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public var seconds: Double { Double(milliseconds) / 1000 }

    public var swiftDuration: Duration { .milliseconds(milliseconds) }

    public var description: String {
        let units: [(Int64, String)] = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s")]
        for (size, suffix) in units where milliseconds % size == 0 && milliseconds >= size {
            return "\(milliseconds / size)\(suffix)"
        }
        return "\(milliseconds)ms"
    }

    /// The longest duration a config or a flag may set: beyond it a timeout or a window means
    /// nothing, and every conversion of it (to curl's milliseconds, to a count of polls) stays
    /// far from overflowing.
    public static let maximum = ConfigDuration(milliseconds: 366 * 86_400_000)

    /// Parses `10s`, `5m`, `1h30m`, `250ms`; nil when the text is not such a duration (or one
    /// too long for 64 bits of milliseconds).
    public init?(parsing text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else {
                return nil
            }
            rest = rest.dropFirst(unit.0.count)
            let (product, overflow) = value.multipliedReportingOverflow(by: unit.1)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        milliseconds = total
    }
}
