import Foundation
import Testing

@testable import LookoutAWS

@Suite("XML reader")
struct XMLReaderTests {
    @Test("elements, entities, CDATA, namespaces, attributes")
    func parses() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- answer -->
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <GetCallerIdentityResult>
                <Arn>arn:aws:iam::1:user/a&amp;b &#233;&#x41;</Arn>
                <UserId><![CDATA[<raw>]]></UserId>
                <Empty/>
                <a:Prefixed attr='1' b="2">x</a:Prefixed>
              </GetCallerIdentityResult>
            </GetCallerIdentityResponse>
            """
        let root = try XMLParser.parse(Array(xml.utf8))
        #expect(root.name == "GetCallerIdentityResponse")
        let result = try #require(root.child("GetCallerIdentityResult"))
        #expect(result.value("Arn") == "arn:aws:iam::1:user/a&b éA")
        #expect(result.value("UserId") == "<raw>")
        #expect(result.value("Empty") == "")
        #expect(result.value("Prefixed") == "x")
    }

    /// 50,000 levels crashed the reader (SIGSEGV): more than 64 is refused before the stack runs out.
    @Test("nesting deeper than 64 elements is refused", arguments: [65, 1000, 50_000])
    func refusesDeepNesting(depth: Int) {
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        #expect {
            try XMLParser.parse(Array(text.utf8))
        } throws: { error in
            (error as? XMLParseError)?.reason == "elements nested deeper than 64 levels"
        }
    }

    /// A garbage answer's bytes quoted in the reason (a name with a NUL, invalid UTF-8) come out as
    /// `\u{..}` escapes: no control byte reaches an error, whatever prints it.
    @Test func aReasonQuotingGarbageHoldsOnlyPrintableASCII() {
        let garbage: [UInt8] = Array("<Respo".utf8) + [0x00, 0xFF, 0xFE, 0x1B] + Array("[31m".utf8)
        #expect {
            try XMLParser.parse(garbage)
        } throws: { error in
            guard let reason = (error as? XMLParseError)?.reason else { return false }
            return reason.hasPrefix("unterminated start tag <Respo\\u{0}")
                && reason.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }
        }
    }

    @Test func moreThan200000ElementsAreRefused() {
        let text = "<r>" + String(repeating: "<a/>", count: 200_000) + "</r>"
        #expect {
            try XMLParser.parse(Array(text.utf8))
        } throws: { error in
            (error as? XMLParseError)?.reason == "more than 200000 elements"
        }
    }

    @Test func sixtyFourLevelsAreRead() throws {
        let text = String(repeating: "<a>", count: 64) + "x" + String(repeating: "</a>", count: 64)
        var node = try XMLParser.parse(Array(text.utf8))
        for _ in 1..<64 { node = try #require(node.child("a")) }
        #expect(node.text == "x")
    }

    @Test("broken documents are errors, not partial trees", arguments: [
        "", "<a>", "<a></b>", "<a>&bogus;</a>", "<a></a><b/>", "{\"json\": true}", "<a>\u{0}\u{1}trunc",
    ])
    func rejects(text: String) {
        #expect(throws: XMLParseError.self) { try XMLParser.parse(Array(text.utf8)) }
    }
}

@Suite("Proxy settings")
struct ProxySettingsTests {
    @Test("lowercase names win, uppercase HTTP_PROXY is honoured, NO_PROXY bypasses")
    func fromEnvironment() {
        let settings = ProxySettings(environment: [
            "HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2", "HTTP_PROXY": "http://plain:3",
            "NO_PROXY": "localhost, .internal.example,10.0.0.5:8080,[::1]",
        ])
        #expect(settings.proxy(for: "https://ecs.eu-west-1.amazonaws.com/") == "http://lower:2")
        #expect(settings.proxy(for: "http://127.0.0.1:5000/") == "http://plain:3")
        #expect(settings.proxy(for: "http://localhost:5000/") == nil)
        #expect(settings.proxy(for: "https://a.internal.example/x") == nil)
        #expect(settings.proxy(for: "https://internal.example/x") == nil)
        #expect(settings.proxy(for: "https://notinternal.example/x") == "http://lower:2")
        #expect(settings.proxy(for: "http://10.0.0.5:8080/") == nil)
        #expect(settings.proxy(for: "http://10.0.0.5:9090/") == "http://plain:3")
        #expect(settings.proxy(for: "http://[::1]:9090/") == nil)
        #expect(ProxySettings(environment: ["NO_PROXY": "*", "HTTPS_PROXY": "http://p:1"]).proxy(for: "https://x/") == nil)
        #expect(ProxySettings(environment: [:]).proxy(for: "https://x/") == nil)
    }
}

@Suite("Error answers in each protocol")
struct ErrorDecoderTests {
    func decode(_ body: String, status: Int, wire: AWSService.WireProtocol, headers: [HTTPRequest.Header] = [])
        -> AWSError.Kind
    {
        ErrorDecoder.decode(
            HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), wire: wire,
            redactor: Redactor(secrets: ["topsecretvalue"])
        ).kind
    }

    @Test("JSON 1.1: __type with a namespace, message in either case")
    func json() {
        #expect(
            decode(#"{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"no /a"}"#, status: 400, wire: .json(targetPrefix: "x"))
                == .service(code: "ParameterNotFound", message: "no /a", status: 400))
        #expect(
            decode(#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#, status: 400, wire: .json(targetPrefix: "x"))
                == .service(code: "ThrottlingException", message: "Rate exceeded", status: 400))
        #expect(
            decode("", status: 400, wire: .json(targetPrefix: "x"), headers: [("x-amzn-ErrorType", "ClientException:http://x")])
                == .service(code: "ClientException", message: "", status: 400))
    }

    @Test("Query and REST-XML: ErrorResponse/Error/Code")
    func xml() {
        let body = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
            <Code>Throttling</Code><Message>Rate exceeded for topsecretvalue</Message></Error>
            <RequestId>r-1</RequestId></ErrorResponse>
            """
        #expect(
            decode(body, status: 400, wire: .query)
                == .service(code: "Throttling", message: "Rate exceeded for <redacted>", status: 400))
        #expect(
            decode(body, status: 400, wire: .restXML)
                == .service(code: "Throttling", message: "Rate exceeded for <redacted>", status: 400))
    }

    @Test("an error answer without a code")
    func garbage() {
        #expect(decode("<html>bad gateway</html>", status: 502, wire: .json(targetPrefix: "x"))
            == .badResponse(status: 502, detail: "the error answer has no AWS error code"))
        #expect(decode("", status: 429, wire: .query) == .service(code: "TooManyRequestsException", message: "", status: 429))
    }

    @Test("retry only throttling and 5xx")
    func retryable() {
        func error(_ kind: AWSError.Kind) -> AWSError {
            AWSError(environment: "e", service: "ssm", operation: "GetParameter", kind: kind)
        }
        #expect(error(.service(code: "ThrottlingException", message: "", status: 400)).isRetryable)
        #expect(error(.service(code: "Throttling", message: "", status: 400)).isRetryable)
        #expect(error(.service(code: "InternalError", message: "", status: 500)).isRetryable)
        #expect(error(.badResponse(status: 503, detail: "")).isRetryable)
        #expect(!error(.service(code: "ParameterNotFound", message: "", status: 400)).isRetryable)
        #expect(!error(.service(code: "AccessDenied", message: "", status: 403)).isRetryable)
        #expect(!error(.badResponse(status: 200, detail: "")).isRetryable)
        #expect(!error(.transport(TransportError(kind: .timeout, detail: ""))).isRetryable)
    }

    @Test("access denied: the codes AWS refuses permission with, or HTTP 403")
    func accessDenied() {
        func error(_ kind: AWSError.Kind) -> AWSError {
            AWSError(environment: "e", service: "ssm", operation: "PutParameter", kind: kind)
        }
        #expect(error(.service(code: "AccessDeniedException", message: "", status: 400)).isAccessDenied)
        #expect(error(.service(code: "AccessDenied", message: "", status: 403)).isAccessDenied)
        #expect(error(.service(code: "UnauthorizedOperation", message: "", status: 400)).isAccessDenied)
        #expect(error(.service(code: "ExpiredTokenException", message: "", status: 403)).isAccessDenied)
        #expect(!error(.service(code: "ParameterNotFound", message: "", status: 400)).isAccessDenied)
        #expect(!error(.service(code: "ThrottlingException", message: "", status: 400)).isAccessDenied)
        #expect(!error(.transport(TransportError(kind: .timeout, detail: ""))).isAccessDenied)
    }

    @Test("backoff grows and stays within its ceiling")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .milliseconds(300))
        for _ in 0..<200 {
            #expect(policy.delay(afterAttempt: 1) <= .milliseconds(100))
            #expect(policy.delay(afterAttempt: 2) <= .milliseconds(200))
            #expect(policy.delay(afterAttempt: 5) <= .milliseconds(300))
        }
        let spread = Set((0..<50).map { _ in policy.delay(afterAttempt: 2) })
        #expect(spread.count > 10, "jitter spreads the waits")
    }
}

@Suite("Small parsers")
struct SmallParserTests {
    @Test("ISO 8601 as AWS writes it")
    func iso8601() {
        #expect(ISO8601.parse("2015-08-30T12:36:00Z") == Date(timeIntervalSince1970: 1_440_938_160))
        #expect(ISO8601.parse("2015-08-30T12:36:00.500Z") == Date(timeIntervalSince1970: 1_440_938_160.5))
        #expect(ISO8601.parse("2015-08-30T14:36:00+02:00") == Date(timeIntervalSince1970: 1_440_938_160))
        #expect(ISO8601.parse("2015-08-30") == nil)
        #expect(ISO8601.parse("yesterday") == nil)
        #expect(ISO8601.format(Date(timeIntervalSince1970: 1_440_938_160)) == "2015-08-30T12:36:00Z")
    }

    @Test("JSON member names: PascalCase to Swift and back")
    func keys() {
        #expect(JSONWire.lowerFirstWord("ARN") == "arn")
        #expect(JSONWire.lowerFirstWord("KeyId") == "keyId")
        #expect(JSONWire.lowerFirstWord("CRLSign") == "crlSign")
        #expect(JSONWire.lowerFirstWord("NotAfter") == "notAfter")
        #expect(JSONWire.lowerFirstWord("nextToken") == "nextToken")
    }

    @Test("INI files as botocore reads them")
    func ini() {
        let sections = SharedConfigFiles.parseINI(
            """
            # comment
            [default]
            region = eu-west-1
            [profile a]
            role_arn=arn:aws:iam::1:role/x
            s3 =
              max_concurrent_requests = 10
            ; another
            source_profile : base
            """)
        #expect(sections.map(\.0) == ["default", "profile a"])
        #expect(sections[1].1["role_arn"] == "arn:aws:iam::1:role/x")
        #expect(sections[1].1["source_profile"] == "base")
        #expect(sections[1].1["max_concurrent_requests"] == nil)
    }

    @Test("credential_process splits like Python's shlex.split")
    func shlex() async throws {
        let lines = [
            #"/usr/bin/tool --flag "a b" 'c d' e\ f"#, #"tool "it\"s" 'x'"y"z"#, "  spaced   out  ",
            #"tool "a\nb""#,
        ]
        for line in lines {
            let result = try await run([
                python, "-c", "import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))", line,
            ])
            let expected = try JSONDecoder().decode([String].self, from: result.stdout)
            #expect(ProcessCredentials.split(line) == expected, "\(line)")
        }
        #expect(ProcessCredentials.split("unterminated 'quote") == nil)
    }
}

@Suite("Pagination")
struct PaginationTests {
    let client = AWSClient(
        configuration: AWSConfiguration(environmentName: "e", region: "eu-west-1"),
        credentials: StaticCredentialProvider(
            Credentials(accessKeyId: "AKID", secretAccessKey: SecretValue("x"), source: "test")),
        transport: CurlTransport(proxy: ProxySettings()))

    @Test("follows every token to the last page")
    func everyPage() async throws {
        let pages: [String?: ([Int], String?)] = [nil: ([1, 2], "a"), "a": ([3], "b"), "b": ([], "c"), "c": ([4], nil)]
        let items = try await client.allPages(.ecs, "ListServices") { token throws(AWSError) in pages[token]! }
        #expect(items == [1, 2, 3, 4])
    }

    @Test("a token that comes back is an error, not an endless loop")
    func loop() async throws {
        let error = await #expect(throws: AWSError.self) {
            _ = try await client.allPages(.ecs, "ListServices") { _ throws(AWSError) in ([1], "same") }
        }
        #expect(error?.operation == "ListServices")
    }

    @Test("Route53 ListHealthChecks: NextMarker counts only while IsTruncated, and the marker loop follows it")
    func route53Markers() async throws {
        // moto ignores maxitems and marker (one page always), so the pages are decoded from XML here.
        func page(_ ids: [String], truncated: Bool, next: String?) throws -> Route53.HealthChecksPage {
            let checks = ids.map {
                "<HealthCheck><Id>\($0)</Id><CallerReference>r-\($0)</CallerReference><HealthCheckConfig>"
                    + "<IPAddress>127.0.0.1</IPAddress><Port>9000</Port><Type>TCP</Type></HealthCheckConfig>"
                    + "<HealthCheckVersion>1</HealthCheckVersion></HealthCheck>"
            }.joined()
            let xml = "<?xml version=\"1.0\"?><ListHealthChecksResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
                + "<HealthChecks>\(checks)</HealthChecks><IsTruncated>\(truncated)</IsTruncated>"
                + (next.map { "<NextMarker>\($0)</NextMarker>" } ?? "") + "<MaxItems>2</MaxItems></ListHealthChecksResponse>"
            return try Route53.healthChecksPage(try XMLParser.parse(Array(xml.utf8)))
        }
        let first = try page(["a", "b"], truncated: true, next: "c")
        #expect(first.isTruncated && first.nextMarker == "c")
        #expect(first.healthChecks.map(\.id) == ["a", "b"] && first.healthChecks.first?.port == 9000)
        let last = try page(["e"], truncated: false, next: "stale")
        #expect(!last.isTruncated && last.nextMarker == nil, "a NextMarker without IsTruncated ends the loop")
        #expect(throws: ShapeError.self) { _ = try page(["a"], truncated: true, next: nil) }

        let pages = ["": first, "c": try page(["c", "d"], truncated: true, next: "e"), "e": last]
        let items = try await client.allPages(.route53, "ListHealthChecks") { marker throws(AWSError) in
            let page = pages[marker ?? ""]!
            return (page.healthChecks.map(\.id), page.nextMarker)
        }
        #expect(items == ["a", "b", "c", "d", "e"])
    }

    @Test("GetMetricData pages: each query's values joined in page order")
    func metricDataMerge() {
        let at = { (seconds: Int) in Date(timeIntervalSince1970: TimeInterval(seconds)) }
        let merged = CloudWatch.merge([
            .init(id: "a", label: "A", timestamps: [at(1), at(2)], values: [1, 2], statusCode: "PartialData"),
            .init(id: "b", label: "B", timestamps: [at(1)], values: [9], statusCode: "Complete"),
            .init(id: "a", label: "A", timestamps: [at(3)], values: [3], statusCode: "Complete"),
        ])
        #expect(merged.map(\.id) == ["a", "b"])
        #expect(merged[0].values == [1, 2, 3] && merged[0].timestamps == [at(1), at(2), at(3)])
        #expect(merged[0].statusCode == "Complete", "the last page's status")
    }
}
