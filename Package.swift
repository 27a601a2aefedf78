// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "quire",
    products: [
        // Readers only: none of these pull in a networking package.
        .library(name: "QuireModel", targets: ["QuireModel"]),
        .library(name: "QuireRender", targets: ["QuireRender"]),
        .library(name: "QuireZip", targets: ["QuireZip"]),
        .library(name: "QuireCFB", targets: ["QuireCFB"]),
        .library(name: "QuirePST", targets: ["QuirePST"]),
        .library(name: "QuireXML", targets: ["QuireXML"]),
        .library(name: "QuireDOCX", targets: ["QuireDOCX"]),
        .library(name: "QuireXLSX", targets: ["QuireXLSX"]),
        .library(name: "QuireMail", targets: ["QuireMail"]),
        .library(name: "QuireImport", targets: ["QuireImport"]),
        .library(name: "QuireLLM", targets: ["QuireLLM"]),
        .library(name: "QuireTasks", targets: ["QuireTasks"]),
        .library(name: "QuireBatch", targets: ["QuireBatch"]),
        // Networking: the HTTP backends (AsyncHTTPClient) and the model picker over them.
        .library(name: "QuireBackends", targets: ["QuireBackends"]),
        .library(name: "QuireRouter", targets: ["QuireRouter"]),
        // Everything, with one-line entry points (`Quire.open`, `Quire.messages(in:)`, `Quire.summarise`).
        .library(name: "Quire", targets: ["QuireKit"]),
        // Quire's tools for AI agents over MCP (the official SDK), confined to given roots.
        .library(name: "QuireMCP", targets: ["QuireMCP"]),
        .executable(name: "quire", targets: ["quire"]),
        // The MCP server (`quire mcp` starts it): its own program, so that the MCP SDK's
        // networking libraries are loaded by it alone.
        .executable(name: "quire-mcp", targets: ["quire-mcp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // `swift package generate-documentation` (DocC catalogs in Sources/*/*.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // The Model Context Protocol's official Swift SDK (quire mcp).
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(name: "QuireModel"),
        .target(name: "QuireRender", dependencies: ["QuireModel"]),
        .target(name: "QuireInternalThreads"),
        .target(name: "QuireZip", dependencies: ["CZlib", "QuireInternalThreads"]),
        .target(name: "QuireXML", dependencies: ["CLibXML2", "QuireInternalThreads"]),
        // Compound File Binary (OLE) containers: Outlook .msg, legacy .doc/.xls, encrypted OOXML.
        .target(name: "QuireCFB", dependencies: ["QuireModel", "QuireZip"]),
        .target(name: "QuirePST", dependencies: ["QuireModel", "QuireZip", "QuireInternalThreads"]),
        .target(name: "QuireOOXML", dependencies: ["QuireModel", "QuireZip", "QuireXML"]),
        .target(name: "QuireDOCX", dependencies: ["QuireModel", "QuireOOXML", "QuireZip", "QuireXML"]),
        .target(name: "QuireXLSX", dependencies: ["QuireModel", "QuireOOXML", "QuireZip", "QuireXML", "QuireInternalThreads"]),
        .target(name: "QuireMail", dependencies: ["QuireModel", "QuireXML", "QuireCFB", "QuirePST"]),
        .target(name: "QuireLLM", dependencies: ["QuireModel", "QuireRender", "QuireInternalThreads"]),
        .target(
            name: "QuireBackends",
            dependencies: [
                "QuireLLM", "QuireInternalThreads", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "QuireImport",
            dependencies: [
                "QuireModel", "QuireRender", "QuireZip", "QuireCFB", "QuirePST", "QuireOOXML", "QuireDOCX", "QuireXLSX", "QuireMail", "QuireInternalThreads",
            ]),
        .target(
            name: "QuireTasks", dependencies: ["QuireModel", "QuireRender", "QuireImport", "QuireMail", "QuireLLM", "QuireRouter", "QuireDOCX", "QuireZip"]),
        .target(
            name: "QuireBatch",
            dependencies: ["QuireModel", "QuireRender", "QuireMail", "QuireImport", "QuireTasks", "QuireLLM", "QuireRouter", "QuireInternalThreads", "CSQLite"]),
        .target(
            name: "QuireKit",
            dependencies: [
                "QuireBackends", "QuireBatch", "QuireDOCX", "QuireImport", "QuireLLM", "QuireMail", "QuireModel", "QuireRender", "QuireRouter", "QuireTasks",
                "QuireXLSX", "QuireZip", "QuireInternalThreads",
            ]),
        .target(
            name: "QuireMCP",
            dependencies: [
                "QuireKit", "QuireImport", "QuireMail", "QuireModel", "QuireRender", "QuireTasks", .product(name: "MCP", package: "swift-sdk"),
            ]),
        .executableTarget(
            name: "quire",
            dependencies: [
                "QuireKit", "QuireImport", "QuireModel", "QuireRender", "QuireMail", "QuireDOCX",
                "QuireXLSX", "QuireLLM", "QuireBackends", "QuireRouter",
                "QuireTasks",
                "QuireInternalThreads",
                "QuireBatch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "quire-mcp",
            dependencies: [
                "QuireMCP", "QuireKit", "QuireRouter", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "QuireTestSupport", dependencies: ["QuireInternalThreads"], path: "Tests/QuireTestSupport"),
        .testTarget(name: "QuireZipTests", dependencies: ["QuireZip", "QuireTestSupport"]),
        .testTarget(name: "QuireCFBTests", dependencies: ["QuireCFB", "QuireModel", "QuireTestSupport"]),
        .testTarget(name: "QuirePSTTests", dependencies: ["QuirePST", "QuireMail", "QuireModel", "QuireTestSupport"]),
        .testTarget(name: "QuireXMLTests", dependencies: ["QuireXML", "QuireTestSupport"]),
        .testTarget(name: "QuireModelTests", dependencies: ["QuireModel", "QuireRender"]),
        .testTarget(name: "QuireDOCXTests", dependencies: ["QuireDOCX", "QuireModel", "QuireOOXML", "QuireRender", "QuireZip", "QuireTestSupport"]),
        .testTarget(name: "QuireXLSXTests", dependencies: ["QuireXLSX", "QuireModel", "QuireRender", "QuireZip", "QuireTestSupport"]),
        .testTarget(
            name: "QuireImportTests",
            dependencies: ["QuireImport", "QuireDOCX", "QuireModel", "QuireRender", "QuireZip", "QuireTestSupport", "QuireInternalThreads"]
        ),
        .testTarget(name: "QuireLLMTests", dependencies: ["QuireLLM"]),
        .target(name: "QuireRouter", dependencies: ["QuireLLM", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "QuireRouterTests", dependencies: ["QuireRouter", "QuireLLM"]),
        .target(
            name: "QuireTestServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ], path: "Tests/QuireTestServer"),
        .executableTarget(
            name: "quire-route-bench", dependencies: ["QuireBackends", "QuireLLM", "QuireRouter", "QuireTestServer"], path: "Benchmarks/RouteBench"),
        .executableTarget(name: "quire-bench-server", dependencies: ["QuireTestServer"], path: "Benchmarks/BenchServer"),
        .testTarget(name: "QuireBackendsTests", dependencies: ["QuireBackends", "QuireLLM", "QuireTestServer"]),
        .testTarget(
            name: "QuireTasksTests",
            dependencies: [
                "QuireTasks", "QuireLLM", "QuireModel", "QuireRender", "QuireImport", "QuireMail", "QuireDOCX", "QuireTestSupport", "QuireTestServer",
                "QuireInternalThreads",
                "QuireBackends",
                "QuireRouter",
            ]),
        .testTarget(
            name: "QuireMCPTests", dependencies: ["QuireMCP", "QuireKit", "QuireTestSupport", .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(name: "QuireMailTests", dependencies: ["QuireMail", "QuireModel", "QuirePST", "QuireRender", "QuireTestSupport"]),
        .testTarget(
            name: "QuireBatchTests",
            dependencies: [
                "QuireBatch", "QuireTasks", "QuireLLM", "QuireModel", "QuireMail", "QuireTestSupport", "QuireTestServer", "QuireBackends", "QuireRouter",
                "QuireInternalThreads",
            ]),
        .testTarget(name: "QuireKitTests", dependencies: ["QuireKit", "QuireInternalThreads", "QuireTestSupport", "QuireTestServer"]),
        .testTarget(name: "QuireCLITests", dependencies: ["quire", "QuireInternalThreads", "QuireTestSupport", "QuireTestServer", "QuireZip"]),
        // Examples/: small programs on the library products, built by every `swift build`.
        .executableTarget(name: "example-read-docx", dependencies: ["QuireDOCX", "QuireModel", "QuireRender"], path: "Examples/ReadDOCX"),
        .executableTarget(name: "example-stream-workbook", dependencies: ["QuireXLSX", "QuireModel"], path: "Examples/StreamWorkbook"),
        .executableTarget(name: "example-mailbox-walk", dependencies: ["QuireKit"], path: "Examples/MailboxWalk"),
        .executableTarget(name: "example-custom-backend", dependencies: ["QuireLLM", "QuireRouter"], path: "Examples/CustomBackend"),
        .executableTarget(name: "example-plugin-reader", dependencies: ["QuireImport", "QuireModel"], path: "Examples/PluginReader"),
        .executableTarget(name: "example-custom-task", dependencies: ["QuireLLM", "QuireRouter", "QuireTasks"], path: "Examples/CustomTask"),
        .executableTarget(name: "example-sheet-to-csv", dependencies: ["QuireXLSX", "QuireModel", "QuireRender"], path: "Examples/SheetToCSV"),
        .executableTarget(name: "example-archive-folders", dependencies: ["QuireMail", "QuireModel", "QuirePST"], path: "Examples/ArchiveFolders"),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
