import Foundation
import LookoutModel
import Testing

/// Changes lookout sees across its own polls: a value that moves is one event, a first sight or
/// a failed source is none, a gone object is one, and the memory stays bounded.
@Suite struct ObservedChangesTests {
    static func reading(_ source: String, _ object: String, _ value: String) -> ObservedChanges.Reading {
        .init(source: source, object: object, value: value) { "\($0) → \($1)" }
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aValueThatMovesIsOneEventAndAFirstSightIsNone() {
        var memory = ObservedChanges()
        memory.observe(environment: "dev", readings: [Self.reading("route53", "health check a", "ok")], read: ["route53"], findings: [], at: Self.t0)
        #expect(memory.events.isEmpty)
        memory.observe(environment: "dev", readings: [Self.reading("route53", "health check a", "ok")], read: ["route53"], findings: [], at: Self.t0 + 10)
        #expect(memory.events.isEmpty)
        memory.observe(environment: "dev", readings: [Self.reading("route53", "health check a", "crit")], read: ["route53"], findings: [], at: Self.t0 + 20)
        #expect(memory.events == [ChangeEvent(environment: "dev", source: "route53", object: "health check a", time: Self.t0 + 20, summary: "ok → crit")])
    }

    @Test func aSourceThatFailedKeepsItsMarksAndAGoneObjectIsOneEvent() {
        var memory = ObservedChanges()
        memory.observe(environment: "dev", readings: [Self.reading("groups", "group g", "Stable ok"), Self.reading("groups", "group h", "Stable ok")],
                       read: ["groups"], findings: [], at: Self.t0)
        // groups failed: nothing read, nothing gone
        memory.observe(environment: "dev", readings: [], read: [], findings: [], at: Self.t0 + 10)
        #expect(memory.events.isEmpty)
        #expect(memory.marks.count == 2)
        memory.observe(environment: "dev", readings: [Self.reading("groups", "group g", "Stable ok")], read: ["groups"], findings: [], at: Self.t0 + 20)
        #expect(memory.events.map(\.object) == ["group h"])
        #expect(memory.events.first?.summary == "no longer listed (was Stable ok)")
        #expect(memory.marks["groups group h"] == nil)
    }

    @Test func aFindingKeepsTheTimeItWasFirstSeenUntilItGoes() {
        var memory = ObservedChanges()
        let finding = Finding(status: .crit, source: "route53", object: "hc", message: "unhealthy")
        memory.observe(environment: "dev", readings: [], read: [], findings: [finding], at: Self.t0)
        memory.observe(environment: "dev", readings: [], read: [], findings: [finding], at: Self.t0 + 30)
        #expect(memory.since(finding) == Self.t0)
        memory.observe(environment: "dev", readings: [], read: [], findings: [], at: Self.t0 + 60)
        #expect(memory.since(finding) == nil)
        memory.observe(environment: "dev", readings: [], read: [], findings: [finding], at: Self.t0 + 90)
        #expect(memory.since(finding) == Self.t0 + 90)
    }

    @Test func theMemoryIsBoundedInAgeAndCount() {
        var memory = ObservedChanges()
        var time = Self.t0
        for step in 0..<(ObservedChanges.maximumEvents + 50) {
            memory.observe(environment: "dev", readings: [Self.reading("groups", "group g", step % 2 == 0 ? "Stable ok" : "Stable warn")],
                           read: ["groups"], findings: [], at: time)
            time += 1
        }
        #expect(memory.events.count == ObservedChanges.maximumEvents)
        #expect(memory.events.last?.time == time - 1)
        memory.observe(environment: "dev", readings: [Self.reading("groups", "group g", "Empty stop")], read: ["groups"], findings: [],
                       at: time + ObservedChanges.keep + 10)
        #expect(memory.events.count == 1)
    }
}
