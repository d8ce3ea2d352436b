// Feeds arbitrary bytes to the parsers of files operators write: the YAML config reader (with every
// typed accessor the collector and agent use, on every value) and the CSV reader used for ticket
// imports. The first byte picks the parser. Errors are expected and must carry a place; crashes, hangs
// and leaks are findings.
import VigilConfig

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let bytes = Array(input.dropFirst())
    if input[0] % 2 == 0 {
        _ = try? CSVReader.records(bytes)
        return 0
    }
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        let root = try ConfigDocument.parse(text, file: "fuzz.yaml")
        walk(root, depth: 0)
    } catch {
        precondition(error.description.hasPrefix("fuzz.yaml"), "a config error without its file: \(error)")
    }
    return 0
}

/// Calls every accessor on every value, as the configuration parsers do.
func walk(_ value: ConfigValue, depth: Int) {
    guard depth < 64 else { return }
    _ = try? value.string()
    _ = try? value.nonEmptyString()
    _ = try? value.int()
    _ = try? value.double()
    _ = try? value.bool()
    _ = try? value.durationMs()
    _ = value.isNull
    if let items = try? value.array() {
        for item in items { walk(item, depth: depth + 1) }
    }
    if let object = try? value.object(allowedKeys: nil) {
        for (_, child) in object.entries { walk(child, depth: depth + 1) }
    }
}
