import CNcurses
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many terminal columns text takes, measured with the C library's `wcwidth` (CJK and most
/// emoji take two, combining marks none), never assumed to be one per character.
public enum TextWidth {
    /// `wcwidth` answers -1 for anything but ASCII under the C locale: make sure the character
    /// type is UTF-8 once, whatever the process started with.
    private static let utf8Ready: Bool = {
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return true }
        return setlocale(LC_CTYPE, "C.UTF-8") != nil
    }()

    public static func of(_ character: Character) -> Int {
        _ = utf8Ready
        var total = 0
        for scalar in character.unicodeScalars {
            let width = Int(lookout_wcwidth(scalar.value))
            if width > 0 {
                total += width
            } else if width < 0, total == 0, scalar.value >= 0x20 {
                total = 1
            }
        }
        return min(total, 2)
    }

    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The text cut to at most `width` columns, ending in `…` when it was cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard of(text) > width else { return text }
        var result = ""
        var used = 0
        for character in text {
            let w = of(character)
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        return result + "…"
    }

    /// The text padded with spaces (or cut) to exactly `width` columns.
    public static func pad(_ text: String, to width: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: width)
        let fill = String(repeating: " ", count: max(0, width - of(cut)))
        return alignRight ? fill + cut : cut + fill
    }
}
