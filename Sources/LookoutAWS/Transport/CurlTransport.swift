import CCurl
import Foundation
import Synchronization

/// HTTP over libcurl. Each request runs `curl_easy_perform` on a thread of its own, off Swift's
/// cooperative pool, so a request that hangs until its timeout holds up nothing else.
///
/// This file is the only place with unsafe code in the AWS client.
public struct CurlTransport: HTTPTransport {
    /// The largest answer read, headers and body each. The largest lookout asks for at the scale
    /// it is built for (a DescribeTasks page of 100 tasks, about 0.5 MB; 10,000 parameters are
    /// read 10 a page) fits 30 times over; a server sending more fails that request, not the heap.
    public static let maxBodyBytes = 16 << 20
    public static let maxHeaderBytes = 1 << 20

    public var proxy: ProxySettings
    /// A PEM bundle of trusted CAs instead of the system's, e.g. for a test server's own CA.
    public var caFile: String?

    public init(proxy: ProxySettings = ProxySettings(environment: ProcessInfo.processInfo.environment),
                caFile: String? = nil) {
        self.proxy = proxy
        self.caFile = caFile
    }

    /// This transport with no proxy at all (`caFile` kept).
    public func withoutProxy() -> any HTTPTransport {
        CurlTransport(proxy: ProxySettings(), caFile: caFile)
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        _ = CurlGlobal.initialised
        let exchange = CurlExchange(request: request, proxy: proxy.proxy(for: request.url), caFile: caFile)
        let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: exchange.perform()) }
                thread.stackSize = 512 * 1024
                thread.start()
            }
        } onCancel: {
            exchange.cancel()
        }
        return try result.get()
    }
}

private enum CurlGlobal {
    /// curl_global_init is not thread-safe; a static let runs it exactly once.
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// One request's state while libcurl works on it; shared with the callbacks through a raw pointer.
private final class CurlExchange: Sendable {
    let request: HTTPRequest
    let proxy: String?
    let caFile: String?
    let cancelled = Atomic<Bool>(false)
    private let received = Mutex<Received>(Received())

    struct Received {
        var body: [UInt8] = []
        var headers: [HTTPRequest.Header] = []
        var headerBytes = 0
        /// Set when the answer went past a cap: the transfer was stopped there.
        var overflow: String?
    }

    init(request: HTTPRequest, proxy: String?, caFile: String?) {
        self.request = request
        self.proxy = proxy
        self.caFile = caFile
    }

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    func perform() -> Result<HTTPResponse, TransportError> {
        guard let handle = curl_easy_init() else {
            return .failure(TransportError(kind: .other, detail: "curl_easy_init failed"))
        }
        defer { curl_easy_cleanup(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        // The Expect header would make curl wait for a 100 Continue before larger bodies.
        for header in request.headers + [("Expect", "")] {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            lookout_curl_set_string(handle, CURLOPT_URL, request.url)
            lookout_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
            lookout_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
            lookout_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
            lookout_curl_set_string(handle, CURLOPT_PROXY, proxy ?? "")
            if let caFile { lookout_curl_set_string(handle, CURLOPT_CAINFO, caFile) }
            lookout_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
            lookout_curl_set_slist(handle, CURLOPT_HTTPHEADER, headerList)
            switch request.method.uppercased() {
            case "GET" where request.body.isEmpty:
                lookout_curl_set_long(handle, CURLOPT_HTTPGET, 1)
            case "HEAD":
                lookout_curl_set_long(handle, CURLOPT_NOBODY, 1)
            default:
                lookout_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
                lookout_curl_set_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                request.body.withUnsafeBytes { bytes in
                    // COPYPOSTFIELDS copies the bytes, so they need not outlive this call.
                    let empty: StaticString = ""
                    let pointer = bytes.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
                    lookout_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
                }
            }
            lookout_curl_set_data_cb(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
            lookout_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
            lookout_curl_set_data_cb(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
            lookout_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
            lookout_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)
            lookout_curl_set_xferinfo_cb(handle, curlProgress)
            lookout_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context)
            return withExtendedLifetime(self) { curl_easy_perform(handle) }
        }
        if let overflow = received.withLock({ $0.overflow }) {
            return .failure(TransportError(kind: .other, detail: overflow, phase: .transfer))
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var phase: TransportError.Phase?
            if code == CURLE_OPERATION_TIMEDOUT {
                // Microseconds from the start until TCP (CONNECT) and TLS (APPCONNECT) were up; 0 if never.
                var connected: curl_off_t = 0
                var tlsUp: curl_off_t = 0
                lookout_curl_get_off(handle, CURLINFO_CONNECT_TIME_T, &connected)
                lookout_curl_get_off(handle, CURLINFO_APPCONNECT_TIME_T, &tlsUp)
                let needsTLS = request.url.lowercased().hasPrefix("https://")
                phase = connected == 0 || (needsTLS && tlsUp == 0) ? .connect : .transfer
            }
            return .failure(
                TransportError(
                    kind: Self.kind(of: code),
                    detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail, phase: phase))
        }
        var status = 0
        lookout_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let received = received.withLock { $0 }
        return .success(HTTPResponse(status: status, headers: received.headers, body: received.body))
    }

    /// False (stop the transfer) when the body would pass its cap.
    fileprivate func append(body bytes: UnsafeRawBufferPointer) -> Bool {
        received.withLock { received in
            guard received.body.count + bytes.count <= CurlTransport.maxBodyBytes else {
                received.overflow = "the answer's body is larger than \(CurlTransport.maxBodyBytes >> 20) MiB: not read"
                return false
            }
            received.body.append(contentsOf: bytes)
            return true
        }
    }

    /// False (stop the transfer) when the headers would pass their cap.
    fileprivate func append(headerLine bytes: UnsafeRawBufferPointer) -> Bool {
        let line = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        return received.withLock { received in
            received.headerBytes += bytes.count
            guard received.headerBytes <= CurlTransport.maxHeaderBytes else {
                received.overflow = "the answer's headers are larger than \(CurlTransport.maxHeaderBytes >> 20) MiB: not read"
                return false
            }
            if line.hasPrefix("HTTP/") {
                // A new response starts (after a proxy's CONNECT answer or a 100 Continue).
                received.headers = []
            } else if let colon = line.firstIndex(of: ":") {
                received.headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces))
            }
            return true
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        // Saturates: a timeout of years is a day as far as curl is concerned.
        let capped = min(max(seconds, 0), 86_400)
        return max(1, Int(capped) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    private static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: .connect
        case CURLE_COULDNT_RESOLVE_PROXY: .proxy
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM:
            .tls
        case CURLE_ABORTED_BY_CALLBACK: .cancelled
        default: .other
        }
    }
}

private func exchange(_ pointer: UnsafeMutableRawPointer?) -> CurlExchange {
    Unmanaged<CurlExchange>.fromOpaque(pointer!).takeUnretainedValue()
}

// Returning less than was handed over makes curl stop with CURLE_WRITE_ERROR.
private let curlWriteBody: lookout_curl_data_cb = { data, size, count, context in
    exchange(context).append(body: UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}

private let curlWriteHeader: lookout_curl_data_cb = { data, size, count, context in
    exchange(context).append(headerLine: UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}

private let curlProgress: lookout_curl_xferinfo_cb = { context, _, _, _, _ in
    exchange(context).cancelled.load(ordering: .relaxed) ? 1 : 0
}
