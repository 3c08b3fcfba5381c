import Testing
@testable import LookoutUI

@Suite struct TextWidthTests {
    @Test func measuresWithWcwidth() {
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("日本") == 4)
        #expect(TextWidth.of("e\u{301}") == 1)
        #expect(TextWidth.of("●▲✖?") == 4)
        #expect(TextWidth.truncate("日本語の環境", to: 7) == "日本語…")
        #expect(TextWidth.of(TextWidth.truncate("日本語の環境", to: 6)) <= 6)
        #expect(TextWidth.pad("日本", to: 6) == "日本  ")
        #expect(TextWidth.pad("abc", to: 5, alignRight: true) == "  abc")
    }

    @Test func gridPutsWideCharactersInTwoCells() {
        var grid = Grid(width: 5, height: 1)
        let used = grid.put("a日本", x: 0, y: 0, role: .text)
        #expect(used == 5)
        #expect(grid.rows[0].map(\.width) == [1, 2, 0, 2, 0])
        // A wide character that does not fit whole is left out.
        var narrow = Grid(width: 4, height: 1)
        #expect(narrow.put("a日本", x: 0, y: 0, role: .text) == 3)
        #expect(narrow.line(0) == "a日 ")
        // Overwriting half of a wide character blanks its other half.
        grid.put("x", x: 2, y: 0, role: .text)
        #expect(TextWidth.of(grid.line(0)) == 5)
    }
}

@Suite struct TableLayoutTests {
    let columns = [Column("NAME", min: 4, priority: 10), Column("STATUS", min: 6, priority: 9), Column("EXTRA", min: 5, priority: 1),
                   Column("TEXT", min: 8, flexible: true, priority: 5)]
    let rows = [Row([TableCell("kafka-broker-1"), TableCell("● ok"), TableCell("something"), TableCell(String(repeating: "x", count: 60))])]

    @Test func flexibleColumnTakesTheRest() {
        let widths = TableLayout.widths(columns: columns, rows: rows, width: 200)
        #expect(widths[0] == 14)
        #expect(widths.compactMap { $0 }.reduce(0, +) + 3 == 200)
    }

    @Test func narrowShrinksThenDropsLowPriorityColumns() {
        let medium = TableLayout.widths(columns: columns, rows: rows, width: 40)
        #expect(medium.compactMap { $0 }.reduce(0, +) + 3 <= 40)
        #expect(medium[3] != nil)
        let narrow = TableLayout.widths(columns: columns, rows: rows, width: 20)
        #expect(narrow[2] == nil)
        #expect(narrow[0] != nil)
        let shown = narrow.compactMap { $0 }
        #expect(shown.reduce(0, +) + shown.count - 1 <= 20)
    }
}
