@testable import LookoutKafka

extension ConnectionStateMachine.Action: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case let (.sendApiVersions(v1, c1), .sendApiVersions(v2, c2)):
            return v1 == v2 && c1 == c2
        case let (.negotiated(s1, f1), .negotiated(s2, f2)):
            return s1 == s2 && f1 == f2
        case let (.sendRequests(s1, f1), .sendRequests(s2, f2)):
            return s1 == s2 && f1 == f2
        case let (.decodeApiVersions(v1), .decodeApiVersions(v2)):
            return v1 == v2
        case let (.sendSaslHandshake(v1, c1, m1), .sendSaslHandshake(v2, c2, m2)):
            return v1 == v2 && c1 == c2 && m1 == m2
        case let (.decodeSaslHandshake(v1), .decodeSaslHandshake(v2)):
            return v1 == v2
        case let (.sendSaslAuthenticate(v1, c1, b1), .sendSaslAuthenticate(v2, c2, b2)):
            return v1 == v2 && c1 == c2 && b1 == b2
        case let (.decodeSaslAuthenticate(v1), .decodeSaslAuthenticate(v2)):
            return v1 == v2
        case let (.forwardResponse(i1, k1, v1), .forwardResponse(i2, k2, v2)):
            return i1 == i2 && k1 == k2 && v1 == v2
        case let (.closeConnection(f1, e1), .closeConnection(f2, e2)):
            return f1 == f2 && e1 == e2
        case let (.failRequests(f1), .failRequests(f2)):
            return f1 == f2
        case (.none, .none):
            return true
        case (.sendApiVersions, _), (.negotiated, _), (.sendRequests, _), (.decodeApiVersions, _),
             (.sendSaslHandshake, _), (.decodeSaslHandshake, _), (.sendSaslAuthenticate, _), (.decodeSaslAuthenticate, _),
             (.forwardResponse, _), (.closeConnection, _), (.failRequests, _), (.none, _):
            return false
        }
    }
}
