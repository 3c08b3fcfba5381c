/// A parsed XML element: enough XML for AWS responses (elements, text, CDATA, the five named
/// entities and numeric references; attributes and namespaces are read past and dropped).
struct XMLNode: Sendable, Equatable {
    var name: String
    var children: [XMLNode] = []
    var text: String = ""

    func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    func children(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// The text of a descendant path, e.g. `value("Error", "Code")`.
    func value(_ path: String...) -> String? {
        var node = self
        for name in path {
            guard let next = node.child(name) else { return nil }
            node = next
        }
        return node.text
    }

    /// The first element named `name` at any depth, this one included.
    func first(named name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(named: name) { return found }
        }
        return nil
    }

    /// Query-protocol lists: `<Name><member>…</member></Name>`.
    func members(_ name: String) -> [XMLNode] {
        child(name)?.children("member") ?? []
    }
}

struct XMLParseError: Error, Equatable {
    var offset: Int
    var reason: String
}

enum XMLParser {
    /// AWS answers nest a dozen elements deep; deeper is refused before it can exhaust the stack
    /// (the reader recurses once per level, and so do the tree's lookups).
    static let maxDepth = 64
    /// Elements in one answer: the largest lookout reads (a page of 100 ECS tasks, 100
    /// health checks) holds a few thousand; 16 MiB of `<a/>` would be four million trees.
    static let maxElements = 200_000

    static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLNode {
        var reader = Reader(bytes: bytes)
        return try reader.document()
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var elements = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func document() throws(XMLParseError) -> XMLNode {
            skipMisc()
            guard peek("<") else { throw fail("no root element") }
            let root = try element(depth: 1)
            skipMisc()
            guard index == bytes.count else { throw fail("content after the root element") }
            return root
        }

        private mutating func skipMisc() {
            while true {
                skipSpace()
                if peek("<?") {
                    skip(past: "?>")
                } else if peek("<!--") {
                    skip(past: "-->")
                } else if peek("<!DOCTYPE") {
                    skip(past: ">")
                } else {
                    return
                }
            }
        }

        private mutating func element(depth: Int) throws(XMLParseError) -> XMLNode {
            guard depth <= XMLParser.maxDepth else { throw fail("elements nested deeper than \(XMLParser.maxDepth) levels") }
            elements += 1
            guard elements <= XMLParser.maxElements else { throw fail("more than \(XMLParser.maxElements) elements") }
            index += 1
            let name = localName(readName())
            guard !name.isEmpty else { throw fail("element without a name") }
            var node = XMLNode(name: name)
            while true {
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated start tag <\(name)>") }
                if peek("/>") {
                    index += 2
                    return node
                }
                if peek(">") {
                    index += 1
                    break
                }
                _ = readName()
                skipSpace()
                guard peek("=") else { throw fail("attribute without a value in <\(name)>") }
                index += 1
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'")
                else { throw fail("unquoted attribute in <\(name)>") }
                let quote = bytes[index]
                index += 1
                while index < bytes.count, bytes[index] != quote { index += 1 }
                index += 1
            }
            var text: [UInt8] = []
            while true {
                guard index < bytes.count else { throw fail("unterminated element <\(name)>") }
                if peek("</") {
                    index += 2
                    let closing = localName(readName())
                    guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                    skipSpace()
                    guard peek(">") else { throw fail("bad end tag </\(closing)>") }
                    index += 1
                    node.text = String(decoding: text, as: UTF8.self)
                    return node
                } else if peek("<![CDATA[") {
                    index += 9
                    while index < bytes.count, !peek("]]>") {
                        text.append(bytes[index])
                        index += 1
                    }
                    index += 3
                } else if peek("<!--") {
                    skip(past: "-->")
                } else if peek("<") {
                    node.children.append(try element(depth: depth + 1))
                } else if peek("&") {
                    text.append(contentsOf: try entity())
                } else {
                    text.append(bytes[index])
                    index += 1
                }
            }
        }

        private mutating func entity() throws(XMLParseError) -> [UInt8] {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ";"), index - start < 12 { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { throw fail("bad entity") }
            let name = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
            index += 1
            switch name {
            case "lt": return Array("<".utf8)
            case "gt": return Array(">".utf8)
            case "amp": return Array("&".utf8)
            case "quot": return Array("\"".utf8)
            case "apos": return Array("'".utf8)
            default:
                let scalarValue: UInt32? =
                    name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16)
                    : name.hasPrefix("#") ? UInt32(name.dropFirst(1)) : nil
                guard let scalarValue, let scalar = Unicode.Scalar(scalarValue) else {
                    throw fail("unknown entity &\(name);")
                }
                return Array(String(Character(scalar)).utf8)
            }
        }

        private mutating func readName() -> String {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/")
                    || byte == UInt8(ascii: "=")
                {
                    break
                }
                index += 1
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        private func localName(_ name: String) -> String {
            name.split(separator: ":").last.map(String.init) ?? name
        }

        private func peek(_ text: String) -> Bool {
            var position = index
            for byte in text.utf8 {
                guard position < bytes.count, bytes[position] == byte else { return false }
                position += 1
            }
            return true
        }

        private mutating func skip(past text: String) {
            while index < bytes.count, !peek(text) { index += 1 }
            index = min(bytes.count, index + text.utf8.count)
        }

        private mutating func skipSpace() {
            while index < bytes.count,
                [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[index])
            {
                index += 1
            }
        }

        /// The reason may quote a name read from the answer: every byte outside printable ASCII
        /// (a NUL, an invalid UTF-8 sequence's replacement) is shown as `\u{..}`, and it is cut
        /// at 120 characters, so a hostile answer cannot put control bytes into an error.
        private func fail(_ reason: String) -> XMLParseError {
            var shown = ""
            for scalar in reason.unicodeScalars.prefix(120) {
                if scalar.isASCII, scalar.value >= 0x20, scalar.value != 0x7F {
                    shown.unicodeScalars.append(scalar)
                } else {
                    shown += "\\u{\(String(scalar.value, radix: 16))}"
                }
            }
            return XMLParseError(offset: index, reason: shown)
        }
    }
}
