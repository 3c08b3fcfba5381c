@testable import LookoutKafka
import Testing

@Suite("Connection state machine")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine
    static let metadata: Int16 = 3
    static let brokerVersions: [Int16: ClosedRange<Int16>] = [3: 0...12, 18: 0...3, 60: 0...1]

    func metadataRequest(_ id: Machine.RequestID) -> Machine.RequestSpec {
        .init(id: id, apiKey: Self.metadata, clientVersions: 0...12)
    }

    /// A machine past ApiVersions, with the broker versions above.
    func readyMachine(maximumVersions: [Int16: Int16] = [:]) -> Machine {
        var machine = Machine(maximumVersions: maximumVersions)
        _ = machine.connected()
        _ = machine.frameReceived(correlationID: 0)
        _ = machine.apiVersionsReceived(errorCode: 0, versions: Self.brokerVersions)
        return machine
    }

    @Test func apiVersionsGoesFirstAndQueuedRequestsFollow() {
        var machine = Machine()
        #expect(machine.requestEnqueued(metadataRequest(1)) == .none)
        #expect(machine.connected() == .sendApiVersions(version: 3, correlationID: 0))
        #expect(machine.requestEnqueued(metadataRequest(2)) == .none)
        #expect(machine.frameReceived(correlationID: 0) == .decodeApiVersions(version: 3))
        #expect(machine.apiVersionsReceived(errorCode: 0, versions: Self.brokerVersions) == .negotiated(
            send: [.init(id: 1, correlationID: 1, version: 12), .init(id: 2, correlationID: 2, version: 12)],
            fail: []
        ))
    }

    @Test func unsupportedApiVersionsIsRetriedInVersion0() {
        var machine = Machine()
        _ = machine.connected()
        _ = machine.frameReceived(correlationID: 0)
        #expect(machine.apiVersionsReceived(errorCode: 35, versions: [18: 0...2]) == .sendApiVersions(version: 0, correlationID: 1))
        #expect(machine.frameReceived(correlationID: 1) == .decodeApiVersions(version: 0))
        #expect(machine.apiVersionsReceived(errorCode: 0, versions: Self.brokerVersions) == .negotiated(send: [], fail: []))
    }

    @Test func unsupportedVersion0ClosesTheConnection() {
        var machine = Machine(maximumVersions: [18: 0])
        #expect(machine.connected() == .sendApiVersions(version: 0, correlationID: 0))
        _ = machine.requestEnqueued(metadataRequest(1))
        _ = machine.frameReceived(correlationID: 0)
        #expect(machine.apiVersionsReceived(errorCode: 35, versions: [:]) == .closeConnection(
            fail: [.init(id: 1, error: .brokerError(apiKey: 18, code: 35))],
            error: .brokerError(apiKey: 18, code: 35)
        ))
        #expect(machine.requestEnqueued(metadataRequest(2)) == .failRequests([.init(id: 2, error: .brokerError(apiKey: 18, code: 35))]))
    }

    @Test func versionIsTheHighestBothSidesSupportUnderTheCap() {
        #expect(Machine.negotiate(client: 0...12, broker: 0...9, cap: nil) == 9)
        #expect(Machine.negotiate(client: 0...4, broker: 0...9, cap: nil) == 4)
        #expect(Machine.negotiate(client: 0...12, broker: 0...9, cap: 5) == 5)
        #expect(Machine.negotiate(client: 0...12, broker: 3...9, cap: 2) == nil)
        #expect(Machine.negotiate(client: 4...12, broker: 0...3, cap: nil) == nil)
        #expect(Machine.negotiate(client: 0...12, broker: nil, cap: nil) == nil)

        var capped = readyMachine(maximumVersions: [Self.metadata: 5])
        #expect(capped.requestEnqueued(metadataRequest(7)) == .sendRequests([.init(id: 7, correlationID: 1, version: 5)], fail: []))
    }

    @Test func anApiTheBrokerLacksFailsOnlyThatRequest() {
        var machine = readyMachine()
        let describeGroups = Machine.RequestSpec(id: 4, apiKey: 15, clientVersions: 0...5)
        #expect(machine.requestEnqueued(describeGroups) == .sendRequests([], fail: [
            .init(id: 4, error: .unsupportedVersion(apiKey: 15, client: 0...5, broker: nil)),
        ]))
        #expect(machine.requestEnqueued(metadataRequest(5)) == .sendRequests([.init(id: 5, correlationID: 1, version: 12)], fail: []))
    }

    @Test func pipelinedAnswersMayArriveInAnyOrder() {
        var machine = readyMachine()
        _ = machine.requestEnqueued(metadataRequest(1))
        _ = machine.requestEnqueued(.init(id: 2, apiKey: 60, clientVersions: 0...1))
        #expect(machine.frameReceived(correlationID: 2) == .forwardResponse(id: 2, apiKey: 60, version: 1))
        #expect(machine.frameReceived(correlationID: 1) == .forwardResponse(id: 1, apiKey: 3, version: 12))
        #expect(machine.frameReceived(correlationID: 1) == .closeConnection(fail: [], error: .unexpectedCorrelationID(1)))
    }

    @Test func anUnknownCorrelationIDFailsEverythingInFlight() {
        var machine = readyMachine()
        _ = machine.requestEnqueued(metadataRequest(1))
        _ = machine.requestEnqueued(metadataRequest(2))
        #expect(machine.frameReceived(correlationID: 99) == .closeConnection(
            fail: [.init(id: 1, error: .unexpectedCorrelationID(99)), .init(id: 2, error: .unexpectedCorrelationID(99))],
            error: .unexpectedCorrelationID(99)
        ))
        #expect(machine.closed() == .none)
    }

    @Test func aTimeoutClosesTheConnection() {
        var machine = readyMachine()
        _ = machine.requestEnqueued(metadataRequest(1))
        _ = machine.requestEnqueued(metadataRequest(2))
        #expect(machine.frameReceived(correlationID: 1) == .forwardResponse(id: 1, apiKey: 3, version: 12))
        #expect(machine.timeoutFired(correlationID: 1) == .none, "answered already: a stale timer")
        #expect(machine.timeoutFired(correlationID: 2) == .closeConnection(
            fail: [.init(id: 2, error: .timedOut(apiKey: 3))],
            error: .timedOut(apiKey: 3)
        ))
        #expect(machine.timeoutFired(correlationID: 2) == .none)
    }

    @Test func aSilentBrokerTimesOutDuringApiVersions() {
        var machine = Machine()
        _ = machine.requestEnqueued(metadataRequest(1))
        _ = machine.connected()
        #expect(machine.timeoutFired(correlationID: 0) == .closeConnection(
            fail: [.init(id: 1, error: .timedOut(apiKey: 18))],
            error: .timedOut(apiKey: 18)
        ))
    }

    @Test func closingFailsWhatIsPendingInEveryState() {
        var initialized = Machine()
        _ = initialized.requestEnqueued(metadataRequest(1))
        #expect(initialized.closed() == .failRequests([.init(id: 1, error: .closed)]))

        var negotiating = Machine()
        _ = negotiating.connected()
        _ = negotiating.requestEnqueued(metadataRequest(2))
        #expect(negotiating.closed() == .failRequests([.init(id: 2, error: .closed)]))

        var ready = readyMachine()
        _ = ready.requestEnqueued(metadataRequest(3))
        #expect(ready.closed() == .failRequests([.init(id: 3, error: .closed)]))
        #expect(ready.closed() == .none)
        #expect(ready.requestEnqueued(metadataRequest(4)) == .failRequests([.init(id: 4, error: .closed)]))
        #expect(ready.frameReceived(correlationID: 1) == .none)
    }

    @Test func anIOErrorClosesWithItsReason() {
        var machine = readyMachine()
        _ = machine.requestEnqueued(metadataRequest(1))
        #expect(machine.errorCaught("Connection reset by peer") == .closeConnection(
            fail: [.init(id: 1, error: .ioError("Connection reset by peer"))],
            error: .ioError("Connection reset by peer")
        ))
    }

    @Test func outOfOrderEventsAreProtocolViolations() {
        var fresh = Machine()
        #expect(fresh.frameReceived(correlationID: 0) == .closeConnection(fail: [], error: .protocolViolation("a response arrived before any request")))

        var ready = readyMachine()
        #expect(ready.apiVersionsReceived(errorCode: 0, versions: [:]) == .closeConnection(
            fail: [], error: .protocolViolation("an ApiVersions answer nobody asked for")
        ))

        var negotiating = Machine()
        _ = negotiating.connected()
        #expect(negotiating.frameReceived(correlationID: 5) == .closeConnection(fail: [], error: .unexpectedCorrelationID(5)))
    }

    @Test func aRequestThatCouldNotBeEncodedIsForgotten() {
        var machine = readyMachine()
        _ = machine.requestEnqueued(metadataRequest(1))
        #expect(machine.requestNotSent(correlationID: 1) == .none)
        #expect(machine.frameReceived(correlationID: 1) == .closeConnection(fail: [], error: .unexpectedCorrelationID(1)))
    }
}
