import Foundation

/// A JSON document with ordered keys and explicit nulls, so the snapshot's output is exactly the
/// contract: a value AWS did not report is `null`, a part lookout does not have yet is absent.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// An array whose elements are made one at a time as it is written, each dropped once
    /// written: the groups of an environment at scale are 200,000 partitions, a value tree of
    /// 150 MB if made at once. Equal to the `.array` of the same elements.
    case elements(count: Int, element: @Sendable (Int) -> JSONValue)

    /// `items` as an array made element by element as it is written (`.elements`).
    public static func lazyArray<Item: Sendable>(_ items: [Item], _ transform: @escaping @Sendable (Item) -> JSONValue) -> JSONValue {
        .elements(count: items.count, element: { transform(items[$0]) })
    }

    /// The value with every `.elements` made into an `.array`.
    public var materialized: JSONValue {
        switch self {
        case .array(let items): .array(items.map(\.materialized))
        case .object(let pairs): .object(pairs.map { ($0.0, $0.1.materialized) })
        case .elements(let count, let element): .array((0..<count).map { element($0).materialized })
        default: self
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        case (.elements, _), (_, .elements): lhs.materialized == rhs.materialized
        default: false
        }
    }

    public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    public static func optional(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
    public static func optional(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
    public static func optional(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }
    public static func optional(_ value: Date?) -> JSONValue { value.map { .string(rfc3339($0)) } ?? .null }
    public static func date(_ value: Date) -> JSONValue { .string(rfc3339(value)) }
    public static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }

    /// Compact JSON text, keys in the order given.
    public func serialized(pretty: Bool = false) -> String {
        var writer = Writer(pretty: pretty, flushAt: .max, sink: nil)
        write(to: &writer, indent: 0)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// Writes the text to `sink` in pieces of about `chunk` bytes, as it is made: a snapshot at
    /// scale is tens of megabytes, never held whole.
    public func write(pretty: Bool, chunk: Int = 256 * 1024, to sink: (ArraySlice<UInt8>) -> Void) {
        withoutActuallyEscaping(sink) { sink in
            var writer = Writer(pretty: pretty, flushAt: chunk, sink: sink)
            write(to: &writer, indent: 0)
            writer.flush()
        }
    }

    /// UTF-8 bytes: appending bytes costs a tenth of appending to a String scalar by scalar.
    private struct Writer {
        let pretty: Bool
        let flushAt: Int
        let sink: ((ArraySlice<UInt8>) -> Void)?
        var out: [UInt8] = []

        init(pretty: Bool, flushAt: Int, sink: ((ArraySlice<UInt8>) -> Void)?) {
            self.pretty = pretty
            self.flushAt = flushAt
            self.sink = sink
            out.reserveCapacity(sink == nil ? 16 * 1024 : flushAt + 16 * 1024)
        }

        mutating func flushIfFull() {
            if out.count >= flushAt { flush() }
        }

        mutating func flush() {
            guard let sink, !out.isEmpty else { return }
            sink(out[...])
            out.removeAll(keepingCapacity: true)
        }
    }

    private func write(to writer: inout Writer, indent: Int) {
        switch self {
        case .null: writer.out.append(contentsOf: "null".utf8)
        case .bool(let value): writer.out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): writer.out.append(contentsOf: String(value).utf8)
        case .double(let value): writer.out.append(contentsOf: JSONValue.number(value).utf8)
        case .string(let value): JSONValue.escape(value, into: &writer.out)
        case .array(let items):
            JSONValue.writeArray(count: items.count, to: &writer, indent: indent) { items[$0] }
        case .elements(let count, let element):
            JSONValue.writeArray(count: count, to: &writer, indent: indent, element)
        case .object(let pairs):
            if pairs.isEmpty { writer.out.append(contentsOf: "{}".utf8); return }
            writer.out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { writer.out.append(UInt8(ascii: ",")) }
                JSONValue.newline(&writer.out, pretty: writer.pretty, indent: indent + 1)
                JSONValue.escape(key, into: &writer.out)
                writer.out.append(UInt8(ascii: ":"))
                if writer.pretty { writer.out.append(UInt8(ascii: " ")) }
                value.write(to: &writer, indent: indent + 1)
            }
            JSONValue.newline(&writer.out, pretty: writer.pretty, indent: indent)
            writer.out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeArray(count: Int, to writer: inout Writer, indent: Int, _ element: (Int) -> JSONValue) {
        if count == 0 { writer.out.append(contentsOf: "[]".utf8); return }
        writer.out.append(UInt8(ascii: "["))
        for index in 0..<count {
            if index > 0 { writer.out.append(UInt8(ascii: ",")) }
            JSONValue.newline(&writer.out, pretty: writer.pretty, indent: indent + 1)
            element(index).write(to: &writer, indent: indent + 1)
            writer.flushIfFull()
        }
        JSONValue.newline(&writer.out, pretty: writer.pretty, indent: indent)
        writer.out.append(UInt8(ascii: "]"))
    }

    private static func newline(_ out: inout [UInt8], pretty: Bool, indent: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        var left = 2 * indent
        while left > 0 {
            let piece = min(left, spaces.count)
            out.append(contentsOf: spaces[..<piece])
            left -= piece
        }
    }

    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    /// A whole number keeps one decimal (`3.0`), as the contract's numbers of seconds do; others
    /// print as Swift's shortest round-trip form. Not finite: `null`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 {
            return (value.sign == .minus ? "-" : "") + String(Int64(abs(value))) + ".0"
        }
        return String(value)
    }

    private static func escape(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.makeContiguousUTF8()
        text.utf8.withContiguousStorageIfAvailable { bytes in
            if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
                case 0..<0x20:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0xf)])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// RFC 3339 in UTC with whole seconds: `2026-11-25T20:02:12Z` (Foundation's ISO 8601 style,
/// which needs no Calendar per date).
public func rfc3339(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
}
