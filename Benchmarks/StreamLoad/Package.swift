// swift-tools-version: 6.1
// stream-load: the instruments of Benchmarks/stream-load.sh (issue #13), not part of Shepherd.
//   stream-load upstream  an independent OpenAI-style streaming upstream, written directly on NIO
//                         (not Shepherd's mock): N chat.completion.chunk events spaced by a fixed
//                         interval on the event loop's timers, then [DONE]
//   stream-load client    holds C concurrent streams for D seconds over keep-alive connections and
//                         prints one JSON line: streams completed and failed, chunks, time to first
//                         chunk and inter-chunk gaps, and the watched processes' CPU and RSS
// SwiftNIO only, so that it builds in about a minute and measures nothing of Shepherd's own stack.
import PackageDescription

let package = Package(
    name: "StreamLoad",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2")
    ],
    targets: [
        .executableTarget(
            name: "stream-load",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        )
    ]
)
