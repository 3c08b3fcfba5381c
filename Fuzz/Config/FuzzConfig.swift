import Foundation
import LookoutConfig

// libFuzzer target for the text loaders lookout reads from files: the config (YAML through Yams,
// every key checked), the theme file and durations. Byte 0 picks which; the rest is the text.
// Built with `-sanitize=fuzzer -DFUZZING` by scripts/fuzz; a plain build replays files
// (`FuzzConfig FILE...`), its corpus being the example config, the bad fixtures and the themes.

func fuzzOne(_ bytes: [UInt8]) {
    guard let which = bytes.first else { return }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    switch which % 3 {
    case 0: _ = try? Config.decode(yaml: text, file: "fuzz.yaml", home: "/home/fuzz", stateHome: "/home/fuzz/.local/state")
    case 1: _ = try? ThemeFile.decode(yaml: text, file: "fuzz-theme.yaml")
    default: _ = ConfigDuration(parsing: text).map(\.description)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : [])
    return 0
}

// SwiftPM links an executable target's entry point as `FuzzConfig_main`: hand libFuzzer's driver
// the process from there (without that renaming, libFuzzer's own `main` runs and this is unused).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzConfig_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzerTestOneInput)
}
#else
@main
struct Replay {
    static func main() throws {
        let paths = CommandLine.arguments.dropFirst()
        for path in paths { fuzzOne(Array(try Data(contentsOf: URL(fileURLWithPath: path)))) }
        print("\(paths.count) inputs replayed")
    }
}
#endif
