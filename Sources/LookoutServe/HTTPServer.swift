import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// `lookout serve`'s HTTP/1.1 listener on SwiftNIO: one event loop, GET and HEAD only, request
/// bodies ignored, the answer from ``Exporter``; TLS (swift-nio-ssl) when a certificate and key
/// are given.
public final class HTTPServer: Sendable {
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        /// `HOST:PORT` or `[V6]:PORT`.
        public init?(_ text: String) {
            let host: Substring, port: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                port = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
                guard !host.contains(":") else { return nil }
            }
            guard !host.isEmpty, host.utf8.count <= 253, let number = Int(port), (0...65535).contains(number) else { return nil }
            self.host = String(host)
            self.port = number
        }

        /// Loopback: 127.0.0.0/8, ::1, localhost. Anything else is reachable from the network.
        public var isLoopback: Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
    }

    /// The port it listens on (the one asked for, or the system's choice for 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    public static func start(_ address: Address, tls: NIOSSLContext?, exporter: Exporter) async throws -> HTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(exporter: exporter))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: address.host, port: address.port).get()
            return HTTPServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening and closes the connections.
    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// A TLS context from PEM files (the certificate chain, then the private key).
    public static func tlsContext(certificate: String, key: String) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
        let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        return try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey)))
    }
}

/// One connection's requests, answered in order.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exporter: Exporter
    private var head: HTTPRequestHead?

    init(exporter: Exporter) {
        self.exporter = exporter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let response = exporter.respond(method: head.method.rawValue, path: head.uri, accept: head.headers["accept"].first,
                                            acceptEncoding: head.headers["accept-encoding"].joined(separator: ","))
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            if let encoding = response.contentEncoding { headers.add(name: "Content-Encoding", value: encoding) }
            headers.add(name: "Vary", value: "Accept, Accept-Encoding")
            headers.add(name: "Content-Length", value: String(response.body.count))
            headers.add(name: "Cache-Control", value: "no-store")
            let keepAlive = head.isKeepAlive
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: response.status), headers: headers))), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
            }
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
