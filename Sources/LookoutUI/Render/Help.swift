/// The keys, generated from the key map in force (read-only mode shows fewer).
enum HelpRender {
    static func rows(_ context: ViewContext) -> [Row] {
        let keys: [Row] = context.keyMap.bindings.map { (binding) -> Row in
            let scope = binding.views.isEmpty ? "" : " (in :\(binding.views.joined(separator: ", :")))"
            return Row([TableCell(KeyMap.label(binding), .title), TableCell(binding.description + scope),
                        TableCell(binding.dangerous ? "changes things" : "", .status(.warn))])
        }
        let legend: [Row] = [
            Row([TableCell("[P]", .protected), TableCell("a protected environment: actions need its name typed"), TableCell("")]),
            Row([TableCell("n/a", .status(.unavailable)), TableCell("not configured"), TableCell("")]),
            Row([TableCell("? 12s", .status(.unknown)), TableCell("unknown: the source fails; its last good data is 12s old"), TableCell("")]),
            Row([TableCell(":", .title), TableCell("views: " + ViewRegistry.all.map(\.name).joined(separator: " ")), TableCell("")]),
        ]
        return keys + legend
    }
}
