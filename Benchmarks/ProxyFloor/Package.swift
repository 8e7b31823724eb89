// swift-tools-version: 6.1
// proxy-floor: what a Swift proxy with no logic at all costs on this machine, per server and
// upstream-client stack. A measuring instrument for Benchmarks/proxy-load.sh (TARGETS="... floor-*"),
// not part of Shepherd: it forwards every POST to one upstream and routes, records and checks nothing.
import PackageDescription

let package = Package(
    name: "ProxyFloor",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "proxy-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        )
    ]
)
