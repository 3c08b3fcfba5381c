/// `:help`: Keys.
public enum HelpView {
    public static let view = ResourceView(
        name: "help", aliases: ["keys", "h"], title: "Keys",
        columns: [Column("KEY", min: 3, max: 12, priority: 10), Column("WHAT IT DOES", min: 10, flexible: true, priority: 9), Column("", min: 1, priority: 1)],
        rows: HelpRender.rows)
}
