// libFuzzer's entry points for FuzzJSON (a file of its own: with one file, SwiftPM would
// compile it as the module's main and give it an entry point of its own). The same few lines
// as in the other SwiftPM fuzz targets: a shared module would reference libFuzzer's driver from
// their plain (replay) builds too, which do not link libFuzzer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : [])
    return 0
}

// SwiftPM links an executable target's entry point as `FuzzJSON_main`: hand libFuzzer's driver
// the process from there (without that renaming, libFuzzer's own `main` runs and this is unused).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzJSON_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzerTestOneInput)
}
