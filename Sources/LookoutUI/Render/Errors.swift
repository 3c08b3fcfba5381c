import LookoutModel

/// Every failing source: which, why, since when.
enum ErrorsRender {
    static func rows(_ context: ViewContext) -> [Row] {
        var result: [Row] = []
        for (info, snapshot) in context.scoped {
            for state in snapshot?.sources ?? [] {
                guard let error = state.error else { continue }
                let since = state.errorSince.map { "\(timestamp($0)) (\(shortAge(Int(context.now.timeIntervalSince($0)))) ago)" } ?? "-"
                let data = state.fetchedAt.map { "\(shortAge(Int(context.now.timeIntervalSince($0)))) old" } ?? "none"
                result.append(Row([Cells.environment(info), TableCell(state.name, .status(.unknown)), TableCell(since), TableCell(data),
                                   TableCell(error)],
                                  environment: info.name, drill: Location(view: EnvironmentView.view.name, environment: info.name)))
            }
        }
        return result
    }
}
