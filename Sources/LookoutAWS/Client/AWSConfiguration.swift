/// How to reach AWS for one lookout environment.
public struct AWSConfiguration: Sendable {
    /// The environment's name, carried into every error.
    public var environmentName: String?
    public var region: String
    /// A profile of the shared config files; nil means the standard chain (`AWS_PROFILE` or `default`).
    public var profile: String?
    /// A role assumed on top of whatever the chain found.
    public var roleArn: String?
    /// One endpoint for every service, e.g. `http://127.0.0.1:5000` for moto.
    public var endpoint: String?
    public var connectTimeout: Duration
    public var timeout: Duration
    public var retry: RetryPolicy

    public init(
        environmentName: String? = nil, region: String, profile: String? = nil, roleArn: String? = nil,
        endpoint: String? = nil, connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.environmentName = environmentName
        self.region = region
        self.profile = profile
        self.roleArn = roleArn
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.retry = retry
    }
}

/// Retries for throttling and 5xx answers: exponential backoff with full jitter. A throttled call
/// gets more attempts than a failing one, because after the first throttle each attempt also waits
/// for the service's adaptive limiter (``AdaptiveRateLimiter``): it slows down to the rate the API
/// allows instead of failing; the source's timeout still bounds the whole.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first one included.
    public var maxAttempts: Int
    /// Attempts in all when the answers are throttling.
    public var maxThrottledAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, maxThrottledAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = maxAttempts
        self.maxThrottledAttempts = max(maxAttempts, maxThrottledAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// A random wait in [0, min(maxDelay, baseDelay * 2^(attempt-1))] before retry number `attempt`.
    func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt - 1, 20)))
        return ceiling * Double.random(in: 0...1)
    }
}
