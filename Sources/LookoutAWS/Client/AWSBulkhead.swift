// The bulkhead of AWS's batched calls (DescribeServices of 10, DescribeTasks of 100, a
// DescribeParameters filter of 50 names): one item whose answer lookout cannot read must not make
// every other item of the batch unknown. The Kafka client has the same for its batches
// (`KafkaAdminClient+Bulkhead.swift`).

extension AWSError {
    /// Whether one item of a batched call may be what made it fail: an answer that does not read
    /// (a body that does not decode, or one over the size cap), or an error AWS gave for the
    /// request itself (4xx). Not the network, not 5xx, not throttling, not a refusal of the
    /// caller (access denied, expired or unknown credentials): those hold for every item alike,
    /// and asking again in pieces would only cost more calls.
    var oneItemMayBeAtFault: Bool {
        switch kind {
        case .badResponse(let status, _):
            return (200...299).contains(status)
        case .service(let code, _, let status):
            return (400...499).contains(status) && !isThrottling && !isAccessDenied && !Self.callerCodes.contains(code)
        case .transport, .credentials, .invalidRequest:
            return false
        }
    }

    /// Codes that refuse the caller, not the request's items.
    static let callerCodes: Set<String> = [
        "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId",
        "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
        "RequestExpired", "AuthFailure", "InvalidAccessKeyId", "RequestTimeTooSkewed",
    ]
}

/// What a batch came to: the answers of the pieces that read, and the items that could not be
/// read even when asked for alone, each with its error.
struct BulkheadResult<Item: Sendable, Output: Sendable>: Sendable {
    var outputs: [Output] = []
    var alone: [(item: Item, error: AWSError)] = []
}

enum AWSBulkhead {
    /// Calls one batch may spend: a batch of 100 with one bad item takes about 13; a service that
    /// fails every call stops after about log2(batch) + 1 (see ``run(_:budget:_:)``).
    static let budget = 16

    /// Runs `request` on `batch`. When it fails in a way one item can cause, the first half is
    /// split the same way. If that half fails beyond one item, or every item of it fails alone and
    /// the second half (asked once) fails too, the failure is not one item's and the batch's own
    /// error is thrown: a service that garbles every answer costs about log2(batch) calls, not one
    /// per item. Otherwise the second half is split the same way, down to single items, within
    /// `budget` calls. So one bad item is found; bad items in both halves of one split make that
    /// batch fail whole.
    static func run<Item: Sendable, Output: Sendable>(
        _ batch: [Item], budget: inout Int,
        _ request: ([Item]) async throws(AWSError) -> Output
    ) async throws(AWSError) -> BulkheadResult<Item, Output> {
        budget -= 1
        let whole: AWSError
        do {
            return BulkheadResult(outputs: [try await request(batch)])
        } catch {
            whole = error
        }
        guard whole.oneItemMayBeAtFault, !batch.isEmpty else { throw whole }
        if batch.count == 1 { return BulkheadResult(alone: [(batch[0], whole)]) }
        guard budget >= 2 else { throw whole }
        let middle = batch.count / 2
        let left = Array(batch[..<middle]), right = Array(batch[middle...])
        // A first half that fails beyond one item: the batch's failure is not one item's.
        let first: BulkheadResult<Item, Output>
        do { first = try await run(left, budget: &budget, request) } catch { throw whole }
        if !first.outputs.isEmpty {
            // The first half read (but for items failing alone): the second is split on its own.
            var result = first
            let second = try await run(right, budget: &budget, request)
            result.outputs += second.outputs
            result.alone += second.alone
            return result
        }
        // Every item of the first half failed alone: one call says whether the second half reads.
        guard budget >= 1 else { throw whole }
        budget -= 1
        let second: Output
        do { second = try await request(right) } catch { throw whole }
        return BulkheadResult(outputs: [second], alone: first.alone)
    }
}
