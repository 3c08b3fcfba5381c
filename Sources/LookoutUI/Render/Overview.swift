import Foundation
import LookoutModel
import LookoutSources

/// One row per environment: its status, one cell per source, the age of its data, its worst problem.
enum OverviewRender {
    /// The overview's source cells, in the registry's overview order: title and source.
    static let sources: [(title: String, source: SourceID)] = SourceRegistry.placed(by: \.overview).compactMap { source in
        source.console.column.map { ($0, source.id) }
    }

    static func rows(_ context: ViewContext) -> [Row] {
        context.scoped.map { (info, snapshot) -> Row in
            let drill = Location(view: EnvironmentView.view.name, environment: info.name)
            var cells: [TableCell] = [Cells.environment(info)]
            guard let snapshot else {
                cells.append(Cells.loading(context.symbols))
                for _ in sources { cells.append(TableCell("\(context.symbols.symbol(.loading)) load", .status(.loading))) }
                cells.append(TableCell("-", .dim))
                cells.append(TableCell("waiting for the first poll", .dim))
                return Row(cells, environment: info.name, drill: drill)
            }
            cells.append(Cells.status(snapshot.status, context.symbols))
            for source in sources { cells.append(sourceCell(snapshot, source.source, context)) }
            let ages: [Int] = snapshot.sources.compactMap { state in state.fetchedAt.map { Int(context.now.timeIntervalSince($0)) } }
            if let oldest = ages.max() {
                cells.append(TableCell(shortAge(oldest)))
            } else {
                cells.append(TableCell("-", .dim))
            }
            if let headline = snapshot.headline {
                cells.append(TableCell(headline, .status(StatusRole(snapshot.status))))
            } else {
                cells.append(TableCell("no problems", .dim))
            }
            return Row(cells, environment: info.name, drill: drill)
        }
    }

    /// A source's cell: its status with symbol; unknown shows the age of its last good data.
    static func sourceCell(_ snapshot: EnvironmentSnapshot, _ source: SourceID, _ context: ViewContext) -> TableCell {
        guard let state = snapshot.sources.first(where: { $0.name == source.rawValue }) else { return Cells.unavailable() }
        guard state.status == .unknown else { return Cells.status(state.status, context.symbols) }
        let age = state.fetchedAt.map { shortAge(Int(context.now.timeIntervalSince($0))) } ?? "never"
        return TableCell("\(context.symbols.symbol(.unknown)) \(age)", .status(.unknown))
    }
}
