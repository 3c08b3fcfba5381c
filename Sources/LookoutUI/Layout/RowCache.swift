import Foundation

/// The rows of the view in hand, built once per snapshot, view, filter and second (the ages the
/// rows show move by the second): a frame, the clamp before it and the key after it share them.
public struct RowCache {
    struct Key: Equatable {
        var version: Int
        var location: Location
        var filter: String
        var second: Int
    }

    private var key: Key?
    private var cached: [Row] = []
    /// How many times the rows were built: what the tests count.
    public private(set) var builds = 0

    public init() {}

    /// The rows for this console and context, at the given snapshot version.
    public mutating func rows(console: Console, context: ViewContext, version: Int) -> [Row] {
        let next = Key(version: version, location: console.location, filter: console.filter,
                       second: Int(context.now.timeIntervalSince1970.rounded(.down)))
        if next != key {
            cached = Frame.rows(console: console, context: context)
            key = next
            builds += 1
        }
        return cached
    }
}
