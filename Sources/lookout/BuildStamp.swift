/// What `lookout --version` says. A plain `swift build` says `dev`; `scripts/package` (which
/// `scripts/start` runs) writes the version and the git commit into the built binary
/// (`Tools/package/stamp.py`: the filler after the marker, same length, in place).
enum BuildStamp {
    /// The marker (`what(1)` style) and 64 bytes of filler; stamped: the text, then spaces.
    static let field: StaticString = "@(#)lookout-stamp:................................................................"
    static let marker = "@(#)lookout-stamp:"

    /// `0.9.0 (2ae2019)` when stamped, else `dev`.
    static var version: String { read(field) }

    /// Reads the field's bytes as they are in the binary now. Not optimised: the compiler must
    /// not fold the literal into the code, or the stamp would never be read.
    @inline(never) @_optimize(none)
    static func read(_ field: StaticString) -> String {
        let bytes = UnsafeBufferPointer(start: field.utf8Start, count: field.utf8CodeUnitCount)
        let text = String(decoding: bytes.dropFirst(marker.utf8.count), as: UTF8.self)
        let stamp = String(text.reversed().drop { $0 == " " || $0 == "." }.reversed())
        // Only what a stamp can hold: anything else in the field is not a stamp.
        guard !stamp.isEmpty, stamp.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else { return "dev" }
        return stamp
    }
}
