import CNcurses
import LookoutConfig
#if canImport(Glibc)
import Glibc
#endif

/// The one place that talks to ncurses. It draws grids, redrawing only the rows that changed and
/// letting ncurses send only the changed characters (`wnoutrefresh` + `doupdate`, never a clear
/// per frame), and reads keys with a short timeout. ncurses owns SIGWINCH: a resize arrives as a key.
public final class Terminal {
    private var previous: Grid?
    private var attributes: [Role: Int32] = [:]
    private var nextPair: Int16 = 1
    private let theme: Theme
    private let useColor: Bool
    private let window: UnsafeMutablePointer<WINDOW>

    /// Starts curses. `color` false (NO_COLOR, or a terminal without colours) uses attributes only.
    public init(theme: Theme, color: Bool, keyTimeoutMs: Int32 = 100) {
        setlocale(LC_ALL, "")
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        // The tty as it was, for the crash handlers (the shim) to give back if lookout traps.
        lookout_save_tty()
        _ = initscr()
        lookout_guard_tty_on_crash()
        window = lookout_stdscr()!
        raw()
        noecho()
        nonl()
        keypad(window, true)
        intrflush(window, false)
        curs_set(0)
        set_escdelay(25)
        wtimeout(window, keyTimeoutMs)
        self.theme = theme
        var colorful = false
        if color, has_colors() {
            start_color()
            use_default_colors()
            colorful = true
        }
        useColor = colorful
    }

    /// Leaves curses and gives the terminal back as it was.
    public func end() {
        endwin()
    }

    public var size: (width: Int, height: Int) {
        (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    /// Whether the terminal went away (an SSH session dropped, the pty's other side closed): the
    /// console then stops instead of reading nothing forever.
    public var hungUp: Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1 && descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// The next key, or nil when none came within the timeout.
    public func readKey() -> Key? {
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        if result == lookout_key_code_yes() { return Self.key(code: Int32(character)) }
        guard result == OK else { return nil }
        switch character {
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 9: return .tab
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
            return .char(Character(scalar))
        }
    }

    static func key(code: Int32) -> Key? {
        switch code {
        case lookout_key_up(): .up
        case lookout_key_down(): .down
        case lookout_key_left(): .left
        case lookout_key_right(): .right
        case lookout_key_ppage(): .pageUp
        case lookout_key_npage(): .pageDown
        case lookout_key_home(): .home
        case lookout_key_end(): .end
        case lookout_key_enter(): .enter
        case lookout_key_backspace(): .backspace
        case lookout_key_resize(): .resize
        default: nil
        }
    }

    /// Draws a frame: rows equal to the last frame's are not touched; after a resize, all are.
    public func draw(_ grid: Grid) {
        let full = previous.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if full { werase(window) }
        for y in 0..<grid.height where full || previous?.rows[y] != grid.rows[y] {
            drawRow(grid.rows[y], y: y)
        }
        wnoutrefresh(window)
        doupdate()
        previous = grid
    }

    private func drawRow(_ cells: [Cell], y: Int) {
        var x = 0
        while x < cells.count {
            let role = cells[x].role
            var text = ""
            var end = x
            while end < cells.count, cells[end].role == role {
                text += cells[end].text
                end += 1
            }
            lookout_attrset(window, attribute(role))
            wmove(window, Int32(y), Int32(x))
            // Writing the bottom-right cell "fails" because the cursor cannot advance; the text is drawn.
            _ = waddnstr(window, text, -1)
            x = end
        }
        lookout_attrset(window, lookout_attr_normal())
    }

    private func attribute(_ role: Role) -> Int32 {
        if let known = attributes[role] { return known }
        let style = theme.style(role)
        var value: Int32 = 0
        if style.bold == true { value |= lookout_attr_bold() }
        if style.underline == true { value |= lookout_attr_underline() }
        if style.reverse == true { value |= lookout_attr_reverse() }
        if useColor, style.fg != nil || style.bg != nil, Int32(nextPair) < lookout_color_pairs() {
            let colors = Int(lookout_colors())
            let fg = Int16(ColorFallback.resolve(style.fg, colors: colors))
            let bg = Int16(ColorFallback.resolve(style.bg, colors: colors))
            init_pair(nextPair, fg, bg)
            value |= lookout_color_pair(nextPair)
            nextPair += 1
        } else if !useColor {
            value |= Self.monochrome(role)
        }
        attributes[role] = value
        return value
    }

    /// Without colour, bars and the selection are reversed and the worst statuses bold; the symbols carry the rest.
    static func monochrome(_ role: Role) -> Int32 {
        switch role {
        case .header, .selection, .statusLine, .readOnly: lookout_attr_reverse()
        case .title, .prompt, .protected, .status(.crit), .status(.unknown), .message: lookout_attr_bold()
        case .dim, .status(.unavailable): lookout_attr_dim()
        default: 0
        }
    }
}
