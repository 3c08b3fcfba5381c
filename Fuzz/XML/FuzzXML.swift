// libFuzzer target for lookout's XML reader (AWS Query and REST-XML answers). Compiled by
// scripts/fuzz with `swiftc -sanitize=fuzzer` together with Sources/LookoutAWS/Protocols/XMLNode.swift
// alone (the reader needs nothing else), so this build does not wait for libcurl or BoringSSL.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    if let root = try? XMLParser.parse(bytes) {
        _ = root.first(named: "Error")?.value("Code")
        _ = root.members("Items").count
    }
    return 0
}
