import Foundation
import LookoutModel
import LookoutSources

/// One environment: a row per source with its status, age, poll time and error; Enter opens the source's view.
enum EnvironmentRender {
    /// A row per source, in the registry's environment-view order: its name, label and view.
    static let sources: [(source: String, label: String, view: String)] = SourceRegistry.placed(by: \.environmentView).map { source in
        (source.id.rawValue, source.console.label, source.console.view)
    }

    static func rows(_ context: ViewContext) -> [Row] {
        var result: [Row] = []
        for (info, snapshot) in context.scoped {
            for entry in sources {
                let drill = Location(view: entry.view, environment: info.name)
                var cells = [Cells.environment(info), TableCell(entry.source), TableCell(entry.label)]
                guard let snapshot else {
                    result.append(Row(cells + [Cells.loading(context.symbols), TableCell(""), TableCell(""), TableCell("")], environment: info.name, drill: drill))
                    continue
                }
                guard let state = snapshot.sources.first(where: { $0.name == entry.source }) else {
                    result.append(Row(cells + [Cells.unavailable("n/a: not configured"), TableCell(""), TableCell(""), TableCell("")], environment: info.name, drill: drill))
                    continue
                }
                let age = state.fetchedAt.map { shortAge(Int(context.now.timeIntervalSince($0))) } ?? "never"
                cells += [Cells.status(state.status, context.symbols), TableCell(age), TableCell("\(state.durationMs)ms", .dim)]
                if let error = state.error {
                    let since = state.errorSince.map { " (since \(shortAge(Int(context.now.timeIntervalSince($0)))) ago)" } ?? ""
                    cells.append(TableCell(error + since, .status(.unknown)))
                    result.append(Row(cells, environment: info.name, drill: drill))
                } else {
                    let problem = snapshot.findings.first { $0.source == entry.source }
                    let since = problem.flatMap { snapshot.observed?.since($0) }.map { " (for \(shortAge(Int(context.now.timeIntervalSince($0)))))" } ?? ""
                    cells.append(problem.map { TableCell("\($0.object): \($0.message)\(since)", .status(StatusRole($0.status))) } ?? TableCell("", .dim))
                    result.append(Row(cells, environment: info.name, drill: drill, finding: problem.map { "\($0.source) \($0.object)" }))
                }
            }
        }
        return result
    }
}
