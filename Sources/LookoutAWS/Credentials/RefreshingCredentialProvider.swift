import Foundation

/// Caches credentials and renews them `renewBefore` their expiry; however many callers ask at once,
/// one refresh runs and they all get its result. Failures are not cached.
public actor RefreshingCredentialProvider: CredentialProvider {
    let base: any CredentialProvider
    let renewBefore: Duration
    let now: @Sendable () -> Date
    private var cached: Credentials?
    private var refresh: (id: Int, task: Task<Result<Credentials, CredentialsError>, Never>)?
    private var nextId = 0
    /// How many times the base provider was asked (for tests and diagnostics).
    public private(set) var refreshCount = 0

    public init(
        _ base: any CredentialProvider, renewBefore: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.base = base
        self.renewBefore = renewBefore
        self.now = now
    }

    public func credentials() async throws(CredentialsError) -> Credentials {
        if let cached, !isDue(cached) { return cached }
        let current: (id: Int, task: Task<Result<Credentials, CredentialsError>, Never>)
        if let refresh {
            current = refresh
        } else {
            nextId += 1
            refreshCount += 1
            let base = self.base
            current = (nextId, Task { () -> Result<Credentials, CredentialsError> in
                do throws(CredentialsError) {
                    return .success(try await base.credentials())
                } catch {
                    return .failure(error)
                }
            })
            refresh = current
        }
        let result = await current.task.value
        if refresh?.id == current.id {
            refresh = nil
            if case .success(let fresh) = result { cached = fresh }
        }
        return try result.get()
    }

    private func isDue(_ credentials: Credentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        let (seconds, attoseconds) = renewBefore.components
        let margin = Double(seconds) + Double(attoseconds) / 1e18
        return expiration.timeIntervalSince(now()) <= margin
    }
}
