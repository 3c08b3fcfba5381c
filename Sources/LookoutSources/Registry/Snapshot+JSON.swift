import Foundation
import LookoutModel

extension Snapshot {
    /// The document of `snapshot --format json`, exactly as `schema/snapshot.schema.json` describes it.
    public var json: JSONValue {
        .object([
            ("generated_at", .date(generatedAt)),
            ("status", .string(status.rawValue)),
            ("environments", .array(environments.map(\.json))),
        ])
    }
}

extension EnvironmentSnapshot {
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(name)),
            ("protected", .bool(protected)),
            ("status", .string(status.rawValue)),
            ("errors", .array(sources.compactMap { source in
                guard let error = source.error else { return nil }
                return .object([("source", .string(source.name)), ("message", .string(error)), ("since", .optional(source.errorSince))])
            })),
            ("sources", .array(sources.map { source in
                .object([
                    ("name", .string(source.name)),
                    ("status", .string(source.status.rawValue)),
                    ("fetched_at", .optional(source.fetchedAt)),
                    ("age_seconds", .optional(source.ageSeconds)),
                    ("duration_ms", .int(source.durationMs)),
                ])
            })),
            ("findings", .array(findings.map { finding in
                .object([("status", .string(finding.status.rawValue)), ("source", .string(finding.source)),
                         ("object", .string(finding.object)), ("message", .string(finding.message))])
            })),
        ]
        for source in SourceRegistry.placed(by: \.json) where has(source.id) {
            pairs += source.json(self)
        }
        return .object(pairs)
    }
}
