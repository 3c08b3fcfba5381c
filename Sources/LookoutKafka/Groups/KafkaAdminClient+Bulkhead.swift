// The bulkhead of batched requests: one group or partition the broker cannot answer for (Tansu
// closes the connection on an OffsetFetch that names a group with a commit on partition -5)
// must not make every other group of the batch unknown.
extension KafkaAdminClient {
    /// Requests one piece may spend on splitting a batch: 1,000 groups with one bad one take
    /// about 20; a broker that refuses every piece stops costing requests here.
    static let bulkheadBudget = 64

    /// Whether a failed request may be the fault of one item in it: the broker closed the
    /// connection on it, or its answer did not decode. Not a broker that cannot be reached or did
    /// not answer in time: that holds for every item alike, and splitting would only wait longer.
    static func oneItemMayBeAtFault(_ error: KafkaError) -> Bool {
        error.code == .connectionClosed || error.code == .protocolViolation
    }

    /// Runs `request` on `batch`; when it fails in a way one item can cause, runs it on each
    /// half in turn (one after the other: a half that makes the broker close the connection must
    /// not take the other half's answer with it), down to single items, within `budget` requests.
    /// An item that fails alone is named so in its error. `request` sends with
    /// `dropIsBrokers: false`: a broker that really went away refuses the next connection, which
    /// marks it, and what is left then fails at once (backing off is not split further).
    func bulkhead<Item: Hashable & Sendable & CustomStringConvertible, Value: Sendable>(
        _ batch: [Item],
        budget: inout Int,
        _ request: ([Item]) async throws(KafkaError) -> [Item: Result<Value, KafkaError>]
    ) async -> [Item: Result<Value, KafkaError>] {
        guard !batch.isEmpty else { return [:] }
        budget -= 1
        do {
            return try await request(batch)
        } catch {
            guard batch.count > 1, budget > 1, Self.oneItemMayBeAtFault(error) else {
                let failure = batch.count == 1
                    ? KafkaError(code: error.code, broker: error.broker, api: error.api, detail: "\(error.detail) (asked for \(batch[0]) alone)")
                    : error
                return Dictionary(batch.map { ($0, .failure(failure)) }) { first, _ in first }
            }
            let middle = batch.count / 2
            var results = await self.bulkhead(Array(batch[..<middle]), budget: &budget, request)
            results.merge(await self.bulkhead(Array(batch[middle...]), budget: &budget, request)) { $1 }
            return results
        }
    }
}
