import Foundation
import SigV4

/// Sends one operation: endpoint, signing, transport, error decoding and retries, in that order.
struct AWSCaller: Sendable {
    let configuration: AWSConfiguration
    let transport: any HTTPTransport
    /// Per service: calls wait for a token once the service has throttled (``AdaptiveRateLimiter``).
    let limiters = AdaptiveRateLimiters()

    struct WireRequest: Sendable {
        var method: String = "POST"
        /// Path and query, already encoded, starting with `/`.
        var path: String = "/"
        var headers: [HTTPRequest.Header] = []
        var body: [UInt8] = []
    }

    func send(
        _ service: AWSService, _ operation: String, _ request: WireRequest, credentials: any CredentialProvider,
        secrets: [String] = []
    ) async throws(AWSError) -> HTTPResponse {
        let endpoint = service.endpoint(region: configuration.region, override: configuration.endpoint)
        func failure(_ kind: AWSError.Kind, attempts: Int, requestId: String? = nil) -> AWSError {
            AWSError(
                environment: configuration.environmentName, service: service.name, operation: operation, kind: kind,
                requestId: requestId, attempts: attempts)
        }
        guard endpoint.url.hasPrefix("https://") || endpoint.url.hasPrefix("http://") else {
            throw failure(.invalidRequest("endpoint \(endpoint.url) is not an http(s) URL"), attempts: 0)
        }
        let limiter = limiters.limiter(for: service.name)
        let began = ContinuousClock.now
        var attempt = 0
        while true {
            attempt += 1
            await limiter.acquire()
            if Task.isCancelled { throw failure(.transport(TransportError(kind: .cancelled, detail: "")), attempts: attempt - 1) }
            let resolved: Credentials
            do {
                resolved = try await credentials.credentials()
            } catch {
                throw failure(.credentials(error), attempts: attempt - 1)
            }
            let redactor = Redactor(secrets: secrets + resolved.secrets)
            let signer = SigV4Signer(
                credentials: resolved.signing, region: endpoint.signingRegion, service: service.signingName)
            let url = endpoint.url + request.path
            let headers = signer.signHeaders(
                url: url, method: request.method, headers: request.headers + [("User-Agent", "lookout")],
                body: request.body, date: Date())
            let response: HTTPResponse
            do {
                response = try await transport.send(
                    HTTPRequest(
                        method: request.method, url: url, headers: headers, body: request.body,
                        connectTimeout: configuration.connectTimeout, timeout: configuration.timeout))
            } catch {
                throw failure(.transport(TransportError(kind: error.kind, detail: redactor.scrub(error.detail), phase: error.phase)),
                              attempts: attempt)
            }
            if (200..<300).contains(response.status) {
                limiter.record(throttled: false)
                return response
            }
            let decoded = ErrorDecoder.decode(response, wire: service.wire, redactor: redactor)
            let error = failure(decoded.kind, attempts: attempt, requestId: decoded.requestId)
            limiter.record(throttled: error.isThrottling)
            let allowed = error.isThrottling ? configuration.retry.maxThrottledAttempts : configuration.retry.maxAttempts
            guard error.isRetryable, attempt < allowed else { throw error }
            let backoff = configuration.retry.delay(afterAttempt: attempt)
            // A throttled call paced beyond the request's own time would only end in a timeout
            // that hides why: it gives up now with the throttling error.
            if error.isThrottling, ContinuousClock.now - began + backoff + .seconds(limiter.expectedWait()) > configuration.timeout {
                throw error
            }
            do {
                try await Task.sleep(for: backoff)
            } catch {
                throw failure(.transport(TransportError(kind: .cancelled, detail: "")), attempts: attempt)
            }
        }
    }
}

/// An AWS error answer, in each protocol's own form, to code and message.
enum ErrorDecoder {
    static func decode(_ response: HTTPResponse, wire: AWSService.WireProtocol, redactor: Redactor)
        -> (kind: AWSError.Kind, requestId: String?)
    {
        let requestId = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        var code: String?
        var message = ""
        var xmlRequestId: String?
        // Gateways and emulators sometimes answer in the other form (moto's auth errors are XML
        // for every protocol): read the protocol's own form first, then the other.
        let jsonFirst = if case .json = wire { true } else { false }
        for readJSON in jsonFirst ? [true, false] : [false, true] where code == nil {
            if readJSON {
                if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] {
                    code = (object["__type"] as? String) ?? (object["code"] as? String) ?? (object["Code"] as? String)
                    message = (object["message"] as? String) ?? (object["Message"] as? String)
                        ?? (object["errorMessage"] as? String) ?? ""
                }
                if jsonFirst { code = code ?? response.header("x-amzn-ErrorType") }
                // "com.amazonaws.ssm#ParameterNotFound" or "ParameterNotFound:http://internal..."
                code = code.map { String($0.split(separator: "#").last ?? "") }
                    .map { String($0.split(separator: ":").first ?? "") }
            } else if let root = try? XMLParser.parse(response.body), let error = root.first(named: "Error") {
                code = error.value("Code")
                message = error.value("Message") ?? ""
                xmlRequestId = root.first(named: "RequestId")?.text
            }
        }
        if let code, !code.isEmpty {
            return (.service(code: code, message: redactor.scrub(message), status: response.status),
                    requestId ?? xmlRequestId)
        }
        if response.status == 429 {
            return (.service(code: "TooManyRequestsException", message: "", status: 429), requestId)
        }
        return (.badResponse(status: response.status, detail: "the error answer has no AWS error code"), requestId)
    }
}
