/// Lag in time, estimated as kafka-lag-exporter does: the end offsets sampled at each poll form a
/// table of (time, offset); the time at which the end offset was the committed offset is read off
/// it by linear interpolation between the two samples around it, or, for an offset older than the
/// table, extrapolated along the table's overall rate. Lag in seconds is the latest sample's time
/// minus that time.
public enum LagSeconds {
    /// - Parameters:
    ///   - committed: the group's committed offset now.
    ///   - ends: (time in seconds, end offset) per poll, oldest first; the last one is "now".
    ///   - minSamples: fewer usable samples than this gives nil.
    /// - Returns: seconds, never below 0; 0 when the group is at the end; else nil with too few samples.
    public static func estimate(committed: Int64, ends: [(time: Double, end: Int64)], minSamples: Int) -> Double? {
        // Only a run of rising times and non-falling offsets describes one log: an end that fell
        // (a topic made anew) starts the table again.
        var points: [(time: Double, end: Int64)] = []
        for sample in ends {
            if let last = points.last {
                if sample.time <= last.time { continue }
                if sample.end < last.end { points.removeAll() }
            }
            points.append(sample)
        }
        guard let latest = points.last else { return nil }
        if committed >= latest.end { return 0 }
        guard points.count >= max(2, minSamples) else { return nil }
        let reached: Double
        if let right = points.firstIndex(where: { $0.end >= committed }), right > 0 {
            // The end passed the committed offset between these two samples.
            let a = points[right - 1], b = points[right]
            reached = a.time + (Double(committed) - Double(a.end)) / (Double(b.end) - Double(a.end)) * (b.time - a.time)
        } else {
            // Older than every sample: along the table's overall rate, if the end moved at all;
            // if it never moved, all that is known is that it was there at the first sample.
            let first = points[0]
            if let moved = points.last(where: { $0.end > first.end }) {
                let rate = (Double(moved.end) - Double(first.end)) / (moved.time - first.time)
                reached = first.time - (Double(first.end) - Double(committed)) / rate
            } else {
                reached = first.time
            }
        }
        // Times from a state file can be anything: a poll twice at one time divides by zero.
        guard reached.isFinite, latest.time.isFinite else { return nil }
        return max(0, latest.time - reached)
    }
}
