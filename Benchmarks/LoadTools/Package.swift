// swift-tools-version: 6.1
// The instruments of the loopback load scripts, not part of Shepherd (a package of their own, so
// that the product's build never compiles them):
//   proxy-floor   what a Swift proxy with no logic at all costs on this machine, per server and
//                 upstream-client stack (Benchmarks/proxy-load.sh, TARGETS="... floor-*"): it
//                 forwards every POST to one upstream and routes, records and checks nothing
//   stream-load   Benchmarks/stream-load.sh (issue #13), SwiftNIO only, measuring nothing of
//                 Shepherd's own stack:
//     stream-load upstream  an independent OpenAI-style streaming upstream, written directly on NIO
//                           (not Shepherd's mock): N chat.completion.chunk events spaced by a fixed
//                           interval on the event loop's timers, then [DONE]
//     stream-load client    holds C concurrent streams for D seconds over keep-alive connections and
//                           prints one JSON line: streams completed and failed, chunks, time to first
//                           chunk and inter-chunk gaps, and the watched processes' CPU and RSS
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let package = Package(
    name: "LoadTools",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        .executableTarget(
            name: "proxy-floor",
            dependencies: nio + [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(name: "stream-load", dependencies: nio),
    ]
)
