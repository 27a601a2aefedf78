import QuireDOCX
#if canImport(Glibc)
import Glibc
#endif
func probe() {
    if let mode = getenv("QUIRE_PROBE").map({ String(cString: $0) }) {
        let path = CommandLine.arguments[CommandLine.arguments.count - 1]
        if mode == "null" { print(try! probeNullParse(path)) } else { print(try! probeParseOnly(path)) }
        exit(0)
    }
}
