/// Consumer groups and lag: the source is not built yet, so the view says so for every environment.
enum GroupsRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.notBuilt(context, columns: 7, what: "consumer groups and lag")
    }
}
