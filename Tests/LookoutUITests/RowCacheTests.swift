import Foundation
import LookoutModel
import Testing
@testable import LookoutUI

/// A frame, the clamp before it and the key after it share one build of the rows.
@Suite struct RowCacheTests {
    @Test func rowsAreBuiltOncePerSnapshotViewAndSecondAndFilteredOncePerFilter() {
        var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)
        var cache = RowCache()
        let snapshot = Fixtures.snapshot()
        let context = Fixtures.context(console, snapshot: snapshot)
        let first = cache.rows(console: console, context: context, version: 1)
        // The clamp, the frame and a key of the same moment: no new build.
        for _ in 0..<3 { _ = cache.rows(console: console, context: context, version: 1) }
        #expect(cache.builds == 1)
        #expect(first.count == Frame.rows(console: console, context: context).count)

        // A new snapshot, a new second, another view: one build each; a filter only filters.
        _ = cache.rows(console: console, context: context, version: 2)
        #expect(cache.builds == 2)
        let later = ViewContext(snapshot: snapshot, environments: context.environments, scope: nil, object: nil,
                                now: context.now.addingTimeInterval(1), keyMap: console.keyMap)
        _ = cache.rows(console: console, context: later, version: 2)
        #expect(cache.builds == 3)
        _ = Fixtures.press(&console, Fixtures.type(":groups") + [.enter], snapshot: snapshot)
        _ = cache.rows(console: console, context: Fixtures.context(console, snapshot: snapshot), version: 2)
        #expect(cache.builds == 4)
        _ = Fixtures.press(&console, Fixtures.type("/bill") + [.enter], snapshot: snapshot)
        let filters = cache.filterings
        let filtered = cache.rows(console: console, context: Fixtures.context(console, snapshot: snapshot), version: 2)
        #expect(cache.builds == 4, "the filter builds nothing")
        #expect(cache.filterings == filters + 1)
        #expect(filtered.count < first.count + 100 && !filtered.isEmpty)
    }
}

/// The filter: case-insensitive on any cell, ASCII folded in place, other text lowercased.
@Suite struct RowFilterTests {
    func row(_ texts: String...) -> Row {
        Row(texts.map { TableCell($0) })
    }

    @Test func anASCIIFilterMatchesAnyCellWhateverItsCase() {
        #expect(row("dev", "Billing").matches("bill"))
        #expect(row("dev", "billing").matches("BILL"))
        #expect(row("dev", "g-wide").matches("G-W"))
        #expect(!row("dev", "billing").matches("billz"))
        #expect(!row("dev", "bi").matches("bill"))
        #expect(row("dev", "x").matches(""))
    }

    @Test func nonASCIITextAndFiltersCompareLowercased() {
        #expect(row("Ärger-Gruppe").matches("ärger"))
        #expect(row("ÄRGER").matches("Ärg"))
        #expect(row("café ▁▂▃").matches("CAFÉ"))
        #expect(row("naïve", "ok").matches("ok"))
        #expect(!row("naïve").matches("naive"))
    }
}
