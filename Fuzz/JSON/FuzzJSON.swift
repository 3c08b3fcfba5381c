import Foundation
@testable import LookoutAWS

// libFuzzer target for what lookout decodes of AWS's JSON 1.1 answers (ECS, SSM, ACM PCA): byte 0
// picks the answer's type, the rest is the body, decoded as `AWSClient.json` decodes it (the same
// JSONWire decoder: ECS camelCase, the others PascalCase, dates as seconds since 1970); byte 0
// above the types reads the body as an error answer (`ErrorDecoder`, JSON first, then XML) with
// the HTTP status in byte 1. Instrumented alone in the tests' release build, as FuzzX509 is:
// LookoutAWS and Foundation's JSONDecoder are not instrumented, so coverage guides only through
// this file and the seeds' shapes; a trap anywhere on the path is still found. See docs/fuzzing.md.

func decode<Output: Decodable>(_: Output.Type, _ service: AWSService, _ body: [UInt8]) -> Output? {
    try? JSONWire.decoder(for: service).decode(Output.self, from: Data(body.isEmpty ? Array("{}".utf8) : body))
}

func fuzzOne(_ bytes: [UInt8]) {
    guard bytes.count >= 2 else { return }
    let body = Array(bytes.dropFirst(2))
    var touched = 0
    switch bytes[0] % 12 {
    case 0: touched = decode(ECS.ListServicesPage.self, .ecs, body)?.serviceArns?.count ?? 0
    case 1:
        let output = decode(ECS.DescribeServicesOutput.self, .ecs, body)
        touched = (output?.services ?? []).reduce(0) { $0 + ($1.deployments?.count ?? 0) + ($1.desiredCount ?? 0) % 7 }
            + (output?.failures?.count ?? 0)
    case 2: touched = decode(ECS.ListTasksPage.self, .ecs, body)?.taskArns?.count ?? 0
    case 3:
        let output = decode(ECS.DescribeTasksOutput.self, .ecs, body)
        // Dates arrive as any JSON number of seconds (1e300 included): only compared, never made an Int.
        touched = (output?.tasks ?? []).reduce(0) { $0 + ($1.containers?.count ?? 0) + ($1.startedAt.map { $0 > Date() ? 1 : 0 } ?? 0) }
    case 4: touched = decode(ECS.UpdateServiceOutput.self, .ecs, body)?.service?.deployments?.count ?? 0
    case 5: touched = decode(SSM.DescribeParametersPage.self, .ssm, body)?.parameters?.count ?? 0
    case 6: touched = decode(SSM.ParameterHistoryPage.self, .ssm, body)?.parameters?.count ?? 0
    case 7: touched = decode(SSM.PutParameterOutput.self, .ssm, body)?.version ?? 0
    case 8: touched = decode(SSM.LabelParameterVersionOutput.self, .ssm, body)?.invalidLabels?.count ?? 0
    case 9: touched = decode(ACMPCA.CertificateAuthority.self, .acmPCA, body)?.arn?.count ?? 0
    default:
        let response = HTTPResponse(status: 400 + Int(bytes[1] % 200), headers: [("x-amzn-ErrorType", "Fuzz#Code:x")], body: body)
        let (kind, requestId) = ErrorDecoder.decode(response, wire: bytes[0] % 2 == 0 ? AWSService.ssm.wire : AWSService.autoScaling.wire,
                                                    redactor: Redactor(secrets: ["hunter2"]))
        touched = AWSError(environment: "fuzz", service: "ssm", operation: "GetParameter", kind: kind, requestId: requestId).description.count
    }
    if touched == Int.min { print("unreachable") }
}
