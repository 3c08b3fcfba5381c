import Foundation
import LookoutModel
import Testing
@testable import LookoutUI

/// A frame, the clamp before it and the key after it share one build of the rows.
@Suite struct RowCacheTests {
    @Test func rowsAreBuiltOncePerSnapshotViewFilterAndSecond() {
        var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)
        var cache = RowCache()
        let snapshot = Fixtures.snapshot()
        let context = Fixtures.context(console, snapshot: snapshot)
        let first = cache.rows(console: console, context: context, version: 1)
        // The clamp, the frame and a key of the same moment: no new build.
        for _ in 0..<3 { _ = cache.rows(console: console, context: context, version: 1) }
        #expect(cache.builds == 1)
        #expect(first.count == Frame.rows(console: console, context: context).count)

        // A new snapshot, a new second, another view, a filter: one build each.
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
        let filtered = cache.rows(console: console, context: Fixtures.context(console, snapshot: snapshot), version: 2)
        #expect(cache.builds == 5)
        #expect(filtered.count < first.count + 100 && !filtered.isEmpty)
    }
}
