import LookoutModel
import LookoutSources

/// SSM secrets: version, last change, age and whether a roll is pending. Never a value.
enum SecretsRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .secrets, columns: 8) { info, snapshot in
            (snapshot.secrets ?? []).map { secret in
                Row([Cells.environment(info), TableCell(secret.observation.name), Cells.status(secret.status, context.symbols),
                     TableCell("\(secret.observation.version)"), TableCell("\(secret.ageDays)d"),
                     Cells.flag(secret.rollPending, yes: "roll pending"), Cells.date(secret.observation.lastModified),
                     TableCell(secret.observation.ssm, .dim)],
                    environment: info.name, target: secret.observation.name)
            }
        }
    }
}
