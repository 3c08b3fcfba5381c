/// The config's `lag.groups` patterns: a group is watched when any pattern matches its whole id;
/// `*` matches any run of characters (none included), every other character itself.
public enum GroupPattern {
    public static func matches(_ patterns: [String], _ group: String) -> Bool {
        patterns.contains { matches($0, group) }
    }

    public static func matches(_ pattern: String, _ group: String) -> Bool {
        let pattern = Array(pattern), text = Array(group)
        var p = 0, t = 0
        var star: Int?, resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] != "*", pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
