/// Names of Kafka's error codes that lookout's APIs can return
/// (https://kafka.apache.org/protocol#protocol_error_codes).
public enum KafkaErrorCode {
    public static let unsupportedVersion: Int16 = 35

    private static let names: [Int16: String] = [
        -1: "UNKNOWN_SERVER_ERROR", 1: "OFFSET_OUT_OF_RANGE", 3: "UNKNOWN_TOPIC_OR_PARTITION",
        5: "LEADER_NOT_AVAILABLE", 6: "NOT_LEADER_OR_FOLLOWER", 7: "REQUEST_TIMED_OUT",
        8: "BROKER_NOT_AVAILABLE", 9: "REPLICA_NOT_AVAILABLE", 13: "NETWORK_EXCEPTION",
        14: "COORDINATOR_LOAD_IN_PROGRESS", 15: "COORDINATOR_NOT_AVAILABLE", 16: "NOT_COORDINATOR",
        17: "INVALID_TOPIC_EXCEPTION", 24: "INVALID_GROUP_ID", 25: "UNKNOWN_MEMBER_ID",
        27: "REBALANCE_IN_PROGRESS", 29: "TOPIC_AUTHORIZATION_FAILED", 30: "GROUP_AUTHORIZATION_FAILED",
        31: "CLUSTER_AUTHORIZATION_FAILED", 33: "UNSUPPORTED_SASL_MECHANISM", 34: "ILLEGAL_SASL_STATE",
        35: "UNSUPPORTED_VERSION", 41: "NOT_CONTROLLER", 42: "INVALID_REQUEST",
        56: "KAFKA_STORAGE_ERROR", 58: "SASL_AUTHENTICATION_FAILED", 69: "GROUP_ID_NOT_FOUND",
        72: "LISTENER_NOT_FOUND", 74: "FENCED_LEADER_EPOCH", 75: "UNKNOWN_LEADER_EPOCH",
        100: "UNKNOWN_TOPIC_ID",
    ]

    /// `UNKNOWN_TOPIC_OR_PARTITION (3)`; unknown codes as `error code N`.
    public static func describe(_ code: Int16) -> String {
        guard let name = names[code] else { return "error code \(code)" }
        return "\(name) (\(code))"
    }
}
