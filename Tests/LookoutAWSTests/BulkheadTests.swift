import Testing
@testable import LookoutAWS

/// The AWS bulkhead's splitting, on a request of our own that fails for chosen items: pure logic
/// (the binary against a hostile ECS is in `HostileBytesTests`).
@Suite("AWS bulkhead")
struct BulkheadTests {
    /// A batched call that cannot read an answer naming any of `bad`, and counts its calls.
    final class Batch: @unchecked Sendable {
        let bad: Set<Int>
        let error: AWSError
        var calls = 0
        init(bad: Set<Int>, error: AWSError.Kind = .badResponse(status: 200, detail: "cut short")) {
            self.bad = bad
            self.error = AWSError(environment: nil, service: "ecs", operation: "DescribeServices", kind: error)
        }
        func call(_ items: [Int]) throws(AWSError) -> [Int] {
            calls += 1
            if items.contains(where: bad.contains) { throw error }
            return items
        }
    }

    func run(_ items: [Int], _ batch: Batch) async throws(AWSError) -> BulkheadResult<Int, [Int]> {
        var budget = AWSBulkhead.budget
        return try await AWSBulkhead.run(items, budget: &budget) { (piece: [Int]) async throws(AWSError) in try batch.call(piece) }
    }

    @Test func oneBadItemOfAHundredIsAloneAndTheRestAreRead() async throws {
        let batch = Batch(bad: [37])
        let result = try await run(Array(0..<100), batch)
        #expect(result.outputs.flatMap { $0 }.sorted() == Array(0..<100).filter { $0 != 37 })
        #expect(result.alone.map(\.item) == [37])
        #expect(batch.calls <= AWSBulkhead.budget, "\(batch.calls) calls")
    }

    @Test func aServiceThatFailsEveryCallFailsTheBatchWithItsOwnError() async {
        let batch = Batch(bad: Set(0..<100))
        await #expect(throws: AWSError.self) { _ = try await run(Array(0..<100), batch) }
        #expect(batch.calls <= 9, "\(batch.calls) calls: about log2(100) + 1, not one per item")
    }

    @Test(arguments: [
        AWSError.Kind.service(code: "ThrottlingException", message: "", status: 400),
        .service(code: "AccessDeniedException", message: "", status: 400),
        .service(code: "ExpiredTokenException", message: "", status: 400),
        .service(code: "InternalFailure", message: "", status: 500),
        .badResponse(status: 503, detail: "x"),
        .transport(TransportError(kind: .timeout, detail: "")),
    ])
    func anErrorEveryItemSharesIsNotSplit(_ kind: AWSError.Kind) async {
        let batch = Batch(bad: [3], error: kind)
        await #expect(throws: AWSError.self) { _ = try await run(Array(0..<10), batch) }
        #expect(batch.calls == 1)
    }

    @Test func anErrorAWSGivesForTheRequestIsSplit() async throws {
        let batch = Batch(bad: [3], error: .service(code: "InvalidParameterException", message: "bad name", status: 400))
        let result = try await run(Array(0..<10), batch)
        #expect(result.alone.map(\.item) == [3])
        #expect(result.outputs.flatMap { $0 }.count == 9)
    }
}
