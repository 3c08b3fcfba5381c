// Text from outside (a group id any Kafka client can choose, a broker's or AWS's error message,
// a certificate's subject and names, an ECS reason, a lock's holder) must not drive the terminal
// it is printed on, nor break a line-based format: what could is shown as an escape.
extension String {
    /// This text with C0 controls (line breaks too), DEL, C1 controls and the bidirectional
    /// marks, overrides and isolates written as `\u{1B}`-style escapes.
    public var terminalSafe: String {
        guard unicodeScalars.contains(where: Self.drivesTerminal) else { return self }
        var safe = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if Self.drivesTerminal(scalar) {
                safe.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                safe.append(scalar)
            }
        }
        return String(safe)
    }

    /// The same, line by line: for a whole message of lookout's own lines with outside text in
    /// them (progress, errors); a line break in the outside text starts a new line, no more.
    public var terminalSafeLines: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).terminalSafe }.joined(separator: "\n")
    }

    static func drivesTerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
