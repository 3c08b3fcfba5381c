/// The action panel drawn over the view: a box with the dialog's title, its lines (the plan,
/// progress, the outcome) wrapped and scrolled, and its prompt.
extension Frame {
    /// Where the panel goes in a frame of this size.
    public struct DialogBox: Equatable, Sendable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int

        /// The width of a body line, inside the border and a space either side.
        public var textWidth: Int { max(1, width - 4) }
        /// How many body lines fit: the box less its border, the prompt and the rule above it.
        public var bodyHeight: Int { max(1, height - 4) }
    }

    /// The panel for a dialog: as wide as the frame allows (up to 130 columns), as tall as its
    /// wrapped lines need (at least 10 rows, at most the frame less its bars).
    public static func dialogBox(_ dialog: ActionDialog, width: Int, height: Int) -> DialogBox {
        let boxWidth = min(width - 4, 130)
        let widest = DialogBox(x: (width - boxWidth) / 2, y: 1, width: boxWidth, height: height - 3)
        let needed = dialogLines(dialog, textWidth: widest.textWidth).count + 4
        return DialogBox(x: widest.x, y: 1, width: boxWidth, height: min(widest.height, max(10, needed)))
    }

    /// The dialog's lines wrapped to the box: what scrolling moves over.
    public static func dialogLines(_ dialog: ActionDialog, box: DialogBox) -> [String] {
        dialogLines(dialog, textWidth: box.textWidth)
    }

    static func dialogLines(_ dialog: ActionDialog, textWidth: Int) -> [String] {
        dialog.lines.flatMap { wrap($0, width: textWidth) }
    }

    static func drawDialog(_ dialog: ActionDialog, into grid: inout Grid, ascii: Bool) {
        let box = dialogBox(dialog, width: grid.width, height: grid.height)
        let (horizontal, vertical, corners) = ascii ? ("-", "|", ["+", "+", "+", "+"]) : ("─", "│", ["┌", "┐", "└", "┘"])
        let inner = box.width - 2
        let ruleY = box.y + box.height - 3
        for y in box.y..<(box.y + box.height) {
            let isEdge = y == box.y || y == box.y + box.height - 1
            let (left, right) = y == box.y ? (corners[0], corners[1]) : y == box.y + box.height - 1 ? (corners[2], corners[3]) : (vertical, vertical)
            grid.put(left, x: box.x, y: y, role: .title)
            let fill = isEdge || y == ruleY ? String(repeating: horizontal, count: inner) : String(repeating: " ", count: inner)
            grid.put(fill, x: box.x + 1, y: y, role: isEdge || y == ruleY ? .title : .text)
            grid.put(right, x: box.x + box.width - 1, y: y, role: .title)
        }
        grid.put(" \(dialog.title) ", x: box.x + 2, y: box.y, role: .title, limit: inner - 2)
        let lines = dialogLines(dialog, box: box)
        let top = min(dialog.scroll, max(0, lines.count - box.bodyHeight))
        for (offset, line) in lines.dropFirst(top).prefix(box.bodyHeight).enumerated() {
            grid.put(line, x: box.x + 2, y: box.y + 1 + offset, role: role(of: line), limit: box.textWidth)
        }
        if lines.count > box.bodyHeight {
            let position = " \(top + 1)-\(min(lines.count, top + box.bodyHeight))/\(lines.count) ↑↓ "
            grid.put(ascii ? position.replacingOccurrences(of: "↑↓", with: "up/down") : position,
                     x: box.x + box.width - 2 - TextWidth.of(position), y: ruleY, role: .dim)
        }
        let prompt = ascii ? dialog.prompt.replacingOccurrences(of: "▏", with: "_") : dialog.prompt
        let promptRole: Role = switch dialog.phase {
        case .failed, .refused, .notConfirmed, .notPlanned, .blocked: .status(.crit)
        case .succeeded: .status(.ok)
        case .confirming: .prompt
        case .preparing, .running, .closed: .dim
        }
        // A long prompt keeps its end (what is being typed) in view.
        let width = TextWidth.of(prompt)
        let shown = width <= box.textWidth ? prompt : "…" + String(prompt.suffix(box.textWidth - 1))
        grid.put(shown, x: box.x + 2, y: ruleY + 1, role: promptRole, limit: box.textWidth)
    }

    private static func role(of line: String) -> Role {
        if line.hasPrefix("Failed:") || line.hasPrefix("Refused:") || line.hasPrefix("Blocked:") || line.hasPrefix("Not confirmed:")
            || line.hasPrefix("Cannot plan:") { return .status(.crit) }
        if line.hasPrefix("Done:") { return .status(.ok) }
        if line.hasPrefix("Plan:") { return .title }
        return .text
    }

    /// Splits a line into pieces of at most `width` columns, at spaces where it can; continuation
    /// pieces are indented as the line was.
    static func wrap(_ line: String, width: Int) -> [String] {
        guard TextWidth.of(line) > width, width > 8 else { return [line] }
        let indent = String(line.prefix { $0 == " " }) + "  "
        var pieces: [String] = []
        var rest = Substring(line)
        var first = true
        while !rest.isEmpty {
            let prefix = first ? "" : indent
            let room = width - prefix.count
            if TextWidth.of(String(rest)) <= room {
                pieces.append(prefix + rest)
                break
            }
            var end = rest.startIndex
            var used = 0
            var lastSpace: Substring.Index?
            while end < rest.endIndex, used + TextWidth.of(rest[end]) <= room {
                if rest[end] == " " { lastSpace = end }
                used += TextWidth.of(rest[end])
                end = rest.index(after: end)
            }
            let cut = lastSpace.flatMap { $0 > rest.startIndex ? $0 : nil } ?? end
            pieces.append(prefix + rest[..<cut])
            rest = rest[cut...].drop { $0 == " " }
            first = false
        }
        return pieces
    }
}
