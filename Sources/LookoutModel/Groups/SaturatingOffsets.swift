// Offsets come from brokers, and a broker (or a client committing through it) can send any
// 64-bit value: lag arithmetic clamps to Int64's range instead of trapping.
extension Int64 {
    /// `self - other`, clamped to Int64's range.
    public func saturatingMinus(_ other: Int64) -> Int64 {
        let (result, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : result
    }

    /// `self + other`, clamped to Int64's range.
    public func saturatingPlus(_ other: Int64) -> Int64 {
        let (result, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : result
    }
}

/// How far a commit is behind an end offset: never negative, never a trap.
public func offsetLag(end: Int64, committed: Int64) -> Int64 {
    Swift.max(0, end.saturatingMinus(committed))
}
