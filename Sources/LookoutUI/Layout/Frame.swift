import Foundation

/// Lays out one frame: header, column titles, the view's rows, a prompt line and the status line.
/// Pure: the same console, context and size give the same grid.
public enum Frame {
    public static let minimumWidth = 60
    public static let minimumHeight = 10

    /// The rows of the current view after the filter: what the keys move over.
    public static func rows(console: Console, context: ViewContext) -> [Row] {
        console.view.rows(context).filter { $0.matches(console.filter) }
    }

    /// How many rows fit in the body.
    public static func pageSize(height: Int) -> Int { max(1, height - 4) }

    /// - Parameter rows: the view's rows when the caller has them (`RowCache`); built here otherwise.
    public static func render(console: Console, context: ViewContext, rows: [Row]? = nil, width: Int, height: Int) -> Grid {
        var grid = Grid(width: width, height: height)
        guard width >= minimumWidth, height >= minimumHeight else {
            let lines = ["terminal too small: \(width)×\(height)", "lookout needs at least \(minimumWidth)×\(minimumHeight)", "(q quits)"]
            for (index, line) in lines.enumerated() {
                let text = TextWidth.truncate(line, to: width)
                grid.put(text, x: max(0, (width - TextWidth.of(text)) / 2), y: max(0, height / 2 - 1) + index, role: .message)
            }
            return grid
        }
        let view = console.view
        let rows = rows ?? Self.rows(console: console, context: context)

        // Header: the title, the scope, and the roll-up.
        grid.fill(row: 0, role: .header)
        var header = " lookout │ \(view.title)"
        if let scope = context.scope { header += " │ \(scope)" }
        grid.put(header, x: 0, y: 0, role: .header)
        var counts: [(StatusRole, Int)] = []
        for role in [StatusRole.crit, .unknown, .warn, .ok, .loading] {
            let count = context.scoped.filter { (entry) -> Bool in
                guard let snapshot = entry.snapshot else { return role == .loading }
                return StatusRole(snapshot.status) == role
            }.count
            if count > 0 { counts.append((role, count)) }
        }
        let summary = counts.map { "\(context.symbols.symbol($0.0)) \($0.1) \($0.0.rawValue)" }.joined(separator: "  ") + " "
        let summaryWidth = TextWidth.of(summary)
        if TextWidth.of(header) + summaryWidth + 2 <= width {
            var x = width - summaryWidth
            for (role, count) in counts {
                x += grid.put("\(context.symbols.symbol(role)) \(count) \(role.rawValue)", x: x, y: 0, role: .status(role))
                x += 2
            }
        }

        // Column titles and rows.
        let widths = TableLayout.widths(columns: view.columns, rows: rows, width: width - 1)
        var x = 1
        for (column, w) in zip(view.columns, widths) {
            guard let w else { continue }
            grid.put(TextWidth.pad(column.title, to: w, alignRight: column.alignRight), x: x, y: 1, role: .title)
            x += w + TableLayout.gap
        }
        let page = pageSize(height: height)
        let top = min(console.top, max(0, rows.count - 1))
        for (offset, row) in rows.dropFirst(top).prefix(page).enumerated() {
            let y = 2 + offset
            let selected = top + offset == console.selection
            if selected { grid.fill(row: y, role: .selection) }
            var x = 1
            for (index, (column, w)) in zip(view.columns, widths).enumerated() {
                guard let w else { continue }
                let cell = index < row.cells.count ? row.cells[index] : TableCell("")
                grid.put(TextWidth.pad(cell.text, to: w, alignRight: column.alignRight), x: x, y: y, role: selected ? .selection : cell.role)
                x += w + TableLayout.gap
            }
        }
        if rows.isEmpty {
            grid.put(console.filter.isEmpty ? "nothing to show" : "no row matches the filter `\(console.filter)` (Esc clears it)", x: 1, y: 2, role: .dim)
        }
        if rows.count > page {
            let position = " \(min(console.selection + 1, rows.count))/\(rows.count) "
            grid.put(position, x: width - TextWidth.of(position), y: 1, role: .dim)
        }

        // Prompt line: what is being typed, a message, or the selected row's last cell in full.
        let promptY = height - 2
        switch console.input {
        case .command(let text):
            let matches = CommandCompletion.matches(text, candidates: console.commandCandidates)
            let used = grid.put(":" + text, x: 0, y: promptY, role: .prompt)
            grid.put("▏", x: used, y: promptY, role: .prompt)
            grid.put("  " + matches.prefix(12).joined(separator: "  "), x: used + 1, y: promptY, role: .dim)
        case .filter(let text):
            let used = grid.put("/" + text, x: 0, y: promptY, role: .prompt)
            grid.put("▏  Enter keeps the filter, Esc clears it", x: used, y: promptY, role: .dim)
        case .none:
            if let message = console.message {
                grid.put(message, x: 0, y: promptY, role: .message)
            } else if rows.indices.contains(console.selection), let last = rows[console.selection].cells.last, !last.text.isEmpty,
                      TextWidth.of(last.text) > (widths.last.flatMap { $0 } ?? 0) {
                grid.put(" " + last.text, x: 0, y: promptY, role: .dim)
            }
        }

        // Status line: environment, view, filter, read-only, last refresh, key hints.
        grid.fill(row: height - 1, role: .statusLine)
        var parts = [" env: \(context.scope ?? "all")", "view: \(view.name)"]
        if let object = context.object { parts.append(view.name == EventsView.view.name ? object : "group: \(object)") }
        if let dialog = console.dialog, console.dialogHidden { parts.append("action: \(dialog.title)") }
        if !console.filter.isEmpty { parts.append("filter: \(console.filter)") }
        let refreshed = context.snapshot.map { "refreshed \(shortAge(Int(context.now.timeIntervalSince($0.generatedAt)))) ago" } ?? "loading…"
        parts.append(refreshed)
        var status = parts.joined(separator: " │ ")
        var statusX = grid.put(status, x: 0, y: height - 1, role: .statusLine)
        if console.readOnly {
            statusX += grid.put(" │ ", x: statusX, y: height - 1, role: .statusLine)
            statusX += grid.put("READ-ONLY", x: statusX, y: height - 1, role: .readOnly)
        }
        status = hints(console.keyMap)
        if statusX + TextWidth.of(status) + 3 <= width {
            grid.put(status, x: width - TextWidth.of(status), y: height - 1, role: .statusLine)
        }
        if let dialog = console.dialog, !console.dialogHidden {
            drawDialog(dialog, into: &grid, ascii: context.symbols.isASCII)
        }
        return grid
    }

    /// The key hints of the status line, from the key map.
    static func hints(_ keyMap: KeyMap) -> String {
        let shown: [(KeyAction, String)] = [(.help, "help"), (.command, "view"), (.filter, "filter"), (.drillIn, "open"), (.back, "back"), (.refresh, "refresh"), (.quit, "quit")]
        return shown.compactMap { action, word in
            keyMap.binding(for: action).map { "\($0.keys[0].label) \(word)" }
        }.joined(separator: "  ") + " "
    }
}
