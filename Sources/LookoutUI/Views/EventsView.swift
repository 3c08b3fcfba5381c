/// `:events`: what changed, newest first (`e` on an environment; on a finding, the hour before it began).
public enum EventsView {
    public static let view = ResourceView(
        name: "events", aliases: ["changes", "timeline", "ev"], title: "Changes",
        columns: [Column("AGE", min: 4, alignRight: true, priority: 10), Column("TIME", min: 20, priority: 4), Column("ENV", min: 4, priority: 9),
                  Column("SOURCE", min: 6, priority: 7), Column("OBJECT", min: 10, priority: 9), Column("WHO", min: 4, priority: 3),
                  Column("SUMMARY", min: 10, flexible: true, priority: 8)],
        rows: EventsRender.rows)
}
