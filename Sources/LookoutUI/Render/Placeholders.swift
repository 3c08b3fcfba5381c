import LookoutModel
import LookoutSources

/// The rows of a per-environment resource view: the resource's own rows for every environment in
/// scope, or one row saying why there are none (loading, not configured, failing).
enum ResourceRows {
    static func build(_ context: ViewContext, source: SourceID, columns: Int,
                      _ rows: (EnvironmentInfo, EnvironmentSnapshot) -> [Row]) -> [Row] {
        var result: [Row] = []
        for (info, snapshot) in context.scoped {
            guard let snapshot else {
                result.append(note(info, columns: columns, Cells.loading(context.symbols)))
                continue
            }
            guard let state = snapshot.sources.first(where: { $0.name == source.rawValue }) else {
                result.append(note(info, columns: columns, Cells.unavailable("n/a: not configured")))
                continue
            }
            let made = rows(info, snapshot)
            if made.isEmpty {
                if let error = state.error {
                    result.append(note(info, columns: columns, TableCell("\(context.symbols.symbol(.unknown)) unknown: \(error)", .status(.unknown))))
                } else {
                    result.append(note(info, columns: columns, TableCell("none", .dim)))
                }
            } else {
                result += made
            }
        }
        return result
    }

    static func note(_ info: EnvironmentInfo, columns: Int, _ cell: TableCell) -> Row {
        var cells = [Cells.environment(info), cell]
        while cells.count < columns { cells.append(TableCell("")) }
        return Row(cells, environment: info.name)
    }
}
