import Foundation
import Synchronization
import Testing

@testable import LookoutAWS

/// A provider that counts calls and hands out credentials expiring `lifetime` from now.
final class CountingProvider: CredentialProvider {
    let calls = Mutex(0)
    let lifetime: TimeInterval
    let delay: Duration
    let fail: Bool

    init(lifetime: TimeInterval, delay: Duration = .milliseconds(50), fail: Bool = false) {
        self.lifetime = lifetime
        self.delay = delay
        self.fail = fail
    }

    func credentials() async throws(CredentialsError) -> Credentials {
        let number = calls.withLock { value in
            value += 1
            return value
        }
        try? await Task.sleep(for: delay)
        if fail { throw .providerFailed(provider: "counting", reason: "failure \(number)") }
        return Credentials(
            accessKeyId: "AKID\(number)", secretAccessKey: SecretValue("secret\(number)"),
            expiration: Date().addingTimeInterval(lifetime), source: "counting")
    }
}

@Suite("Credential refresher")
struct RefresherTests {
    @Test("many callers at once: one refresh, one answer")
    func singleFlight() async throws {
        let base = CountingProvider(lifetime: 3600)
        let refresher = RefreshingCredentialProvider(base)
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await refresher.credentials().accessKeyId } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(keys) == ["AKID1"])
        #expect(base.calls.withLock { $0 } == 1)
        #expect(await refresher.refreshCount == 1)
    }

    @Test("renews before expiry, not after")
    func renewsEarly() async throws {
        let base = CountingProvider(lifetime: 200)  // inside the 300 s margin: always due
        let refresher = RefreshingCredentialProvider(base)
        _ = try await refresher.credentials()
        _ = try await refresher.credentials()
        #expect(base.calls.withLock { $0 } == 2)

        let longLived = CountingProvider(lifetime: 3600)
        let cached = RefreshingCredentialProvider(longLived)
        _ = try await cached.credentials()
        _ = try await cached.credentials()
        #expect(longLived.calls.withLock { $0 } == 1)

        let clock = Mutex(Date())
        let later = RefreshingCredentialProvider(longLived, now: { clock.withLock { $0 } })
        _ = try await later.credentials()
        clock.withLock { $0 = $0.addingTimeInterval(3400) }  // 200 s left
        #expect(try await later.credentials().accessKeyId == "AKID3")
    }

    @Test("a failure is not cached")
    func failures() async throws {
        let base = CountingProvider(lifetime: 3600, fail: true)
        let refresher = RefreshingCredentialProvider(base)
        await #expect(throws: CredentialsError.self) { try await refresher.credentials() }
        await #expect(throws: CredentialsError.self) { try await refresher.credentials() }
        #expect(base.calls.withLock { $0 } == 2)
    }
}
