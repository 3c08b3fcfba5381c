/// `:errors`: Failing sources.
public enum ErrorsView {
    public static let view = ResourceView(
        name: "errors", aliases: ["problems", "err"], title: "Failing sources",
        columns: [Column("ENV", min: 4, priority: 10), Column("SOURCE", min: 6, priority: 9), Column("SINCE", min: 8, priority: 6), Column("DATA", min: 6, priority: 7), Column("MESSAGE", min: 10, flexible: true, priority: 8)],
        rows: ErrorsRender.rows)
}
