/// One HTTP exchange, as the AWS layer sees it.
public struct HTTPRequest: Sendable {
    public typealias Header = (name: String, value: String)

    public var method: String
    public var url: String
    public var headers: [Header]
    public var body: [UInt8]
    /// Time allowed to open the connection (TCP, proxy and TLS).
    public var connectTimeout: Duration
    /// Time allowed for the whole exchange.
    public var timeout: Duration

    public init(
        method: String, url: String, headers: [Header] = [], body: [UInt8] = [],
        connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Headers of the final response (not those of a proxy's CONNECT answer), names as sent.
    public var headers: [HTTPRequest.Header]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPRequest.Header], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// Sends requests. Implementations must let many requests run at once, none waiting on another.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse

    /// The same transport, connecting directly whatever the proxy settings say: for endpoints that
    /// must never go through a proxy (the container credentials endpoint, as botocore's
    /// `ContainerMetadataFetcher`, whose Authorization token a proxy would see).
    func withoutProxy() -> any HTTPTransport
}

/// Why a request got no HTTP response at all.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case connect = "could not connect"
        case timeout = "timed out"
        case tls = "TLS failed"
        case proxy = "proxy failed"
        case cancelled = "cancelled"
        case other = "transfer failed"
    }

    /// Where a request stopped: before the connection was up (TCP, proxy tunnel and TLS) or after.
    public enum Phase: String, Sendable, Equatable {
        case connect
        case transfer
    }

    public var kind: Kind
    /// libcurl's own words, e.g. "Connection refused" or "Operation timed out after 2001 milliseconds".
    public var detail: String
    /// Set by ``CurlTransport`` for timeouts: `.connect` when the connect timeout fired (the
    /// connection was never up), `.transfer` when the total timeout did.
    public var phase: Phase?

    public init(kind: Kind, detail: String, phase: Phase? = nil) {
        self.kind = kind
        self.detail = detail
        self.phase = phase
    }

    public var description: String { detail.isEmpty ? kind.rawValue : "\(kind.rawValue): \(detail)" }
}
