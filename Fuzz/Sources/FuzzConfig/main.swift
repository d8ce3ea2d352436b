import FuzzDriver

runFuzzer { data, count in
    guard let data else { return 0 }
    return fuzzConfig(UnsafeRawPointer(data), count)
}
