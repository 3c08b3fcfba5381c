import Foundation

/// The rows of the view in hand, built once per snapshot, view and second (the ages the rows show
/// move by the second), and filtered once per filter on top of that build: a frame, the clamp
/// before it and the key after it share them, and a keystroke of `/` costs a filter of the rows
/// already built, not a new build (1,000 groups: the build is the costly part).
public struct RowCache {
    struct Key: Equatable {
        var version: Int
        var location: Location
        var second: Int
    }

    private var key: Key?
    private var built: [Row] = []
    private var filter: String?
    private var cached: [Row] = []
    /// How many times the view's rows were built: what the tests count.
    public private(set) var builds = 0
    /// How many times built rows were filtered.
    public private(set) var filterings = 0

    public init() {}

    /// The rows for this console and context, at the given snapshot version, after the filter.
    public mutating func rows(console: Console, context: ViewContext, version: Int) -> [Row] {
        let next = Key(version: version, location: console.location, second: Int(context.now.timeIntervalSince1970.rounded(.down)))
        if next != key {
            built = console.view.rows(context)
            key = next
            filter = nil
            builds += 1
        }
        if filter != console.filter {
            cached = console.filter.isEmpty ? built : built.filter { $0.matches(console.filter) }
            filter = console.filter
            filterings += 1
        }
        return cached
    }
}
