// swift-tools-version: 6.2
// libFuzzer targets over Quire's parsers; a package of its own so that the main build never
// needs the fuzzer runtime. See Fuzz/README.md.
import PackageDescription

let quire = "quire"
func target(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name, dependencies: ["CFuzzer"] + products.map { .product(name: $0, package: quire) }, path: "Sources/\(name)",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let package = Package(
    name: "quire-fuzz",
    dependencies: [.package(name: quire, path: "..")],
    targets: [
        .target(name: "CFuzzer", path: "Sources/CFuzzer"),
        target("fuzz-zip", ["QuireZip"]),
        target("fuzz-xml", ["QuireXML"]),
        target("fuzz-docx", ["QuireDOCX", "QuireModel", "QuireRender"]),
        target("fuzz-review", ["QuireDOCX", "QuireModel", "QuireZip"]),
        target("fuzz-xlsx", ["QuireXLSX", "QuireModel", "QuireRender"]),
        target("fuzz-mail", ["QuireMail", "QuireModel", "QuireRender"]),
        target("fuzz-mbox", ["QuireMail"]),
        target("fuzz-msg", ["QuireMail", "QuireCFB", "QuireModel", "QuireRender"]),
        target("fuzz-pst", ["QuireMail", "QuirePST", "QuireModel", "QuireRender"]),
        target("fuzz-numfmt", ["QuireXLSX"]),
        target("fuzz-markdown", ["QuireModel", "QuireRender", "QuireDOCX"]),
        target("fuzz-config", ["QuireRouter"]),
        target("fuzz-stream", ["QuireLLM"]),
    ]
)
