import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Holds `concurrency` streams open for `duration` seconds and prints one JSON line.
///
/// Each virtual client owns one keep-alive connection (a new one only after a failure), bound to
/// one event loop of the client's group: it POSTs a streaming chat completion, reads it to
/// `data: [DONE]`, and at once sends the next. The measured window starts `warmup` seconds after
/// the connections are opened and lasts `duration` seconds; an event counts when it happens inside
/// it: a stream completed (status 200 and [DONE] then the response's end), a stream failed (status
/// other than 200, connection cut, end without [DONE], connect error, no end within `timeout`), a
/// chunk (an SSE `data:` event other than [DONE]), a time to first chunk (request sent → first
/// complete `data:` event), a gap (one event → the next of the same stream; events that arrive in
/// one read count a gap of 0). Streams still open at the window's end are cut and not counted.
/// After a failure the virtual client pauses `retry-pause-ms` before its next request.
///
/// Watched processes (`--watch-pid`, repeatable: a proxy's PID, or nginx's master and workers):
/// their VmRSS summed before the connections open and at the window's middle (with the number of
/// streams open then), and their utime+stime over the window, from /proc.
enum LoadClient {
    static let usage =
        "--port P [--host 127.0.0.1] [--path /v1/chat/completions] [--concurrency 500] [--duration 20] "
        + "[--warmup 3] [--timeout 60] [--retry-pause-ms 100] [--threads 2] [--include-usage 0] [--watch-pid PID ...] [--label name]"

    static func run(_ options: Options) {
        let config = ClientConfig(
            host: options.string("host", "127.0.0.1"),
            port: options.int("port", 0),
            path: options.string("path", "/v1/chat/completions"),
            includeUsage: options.int("include-usage", 0) != 0,
            timeout: .nanoseconds(Int64(options.double("timeout", 60) * 1e9)),
            retryPause: .nanoseconds(Int64(options.double("retry-pause-ms", 100) * 1e6)))
        let concurrency = max(1, options.int("concurrency", 500))
        let duration = options.double("duration", 20)
        let warmup = options.double("warmup", 3)
        let label = options.string("label", "")
        let threads = max(1, options.int("threads", 2))
        let watched = options.all("watch-pid").compactMap { Int32($0) }
        guard config.port > 0 else { fail("client needs --port") }

        let rssBefore = ProcStat.rssKB(watched)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let start = NIODeadline.now()
        let window = Window(
            start: start + .nanoseconds(Int64(warmup * 1e9)),
            end: start + .nanoseconds(Int64((warmup + duration) * 1e9)))
        let shared = Shared()
        let loops = Array(group.makeIterator())
        var stats: [LoopStats] = []
        var clients: [[VirtualClient]] = Array(repeating: [], count: loops.count)
        for _ in loops { stats.append(LoopStats()) }
        for id in 0..<concurrency {
            let slot = id % loops.count
            clients[slot].append(
                VirtualClient(
                    id: id, loop: loops[slot], config: config, window: window, stats: stats[slot], shared: shared))
        }
        for (slot, loop) in loops.enumerated() {
            let mine = clients[slot]
            loop.execute { for client in mine { client.connect() } }
        }

        sleep(until: window.start)
        let cpuStart = ProcStat.cpuTicks(watched)
        sleep(until: window.start + .nanoseconds(Int64(duration * 0.5e9)))
        let rssDuring = ProcStat.rssKB(watched)
        let openAtSample = shared.open.load(ordering: .relaxed)
        sleep(until: window.end)
        let cpuEnd = ProcStat.cpuTicks(watched)

        // Stop every client, close its connection, and gather each loop's figures on that loop.
        var ttfc: [UInt32] = []
        var gaps: [UInt32] = []
        var total = LoopStats.Counts()
        for (slot, loop) in loops.enumerated() {
            let mine = clients[slot]
            let loopStats = stats[slot]
            let snapshot = try? loop.submit { () -> LoopStats.Snapshot in
                for client in mine { client.stop() }
                return loopStats.snapshot()
            }.wait()
            guard let snapshot else { continue }
            ttfc += snapshot.ttfc
            gaps += snapshot.gaps
            total.add(snapshot.counts)
        }
        try? group.syncShutdownGracefully()

        ttfc.sort()
        gaps.sort()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpuMicros = watched.isEmpty ? -1 : Double(cpuEnd - cpuStart) / ticks * 1e6
        var fields: [(String, String)] = [
            ("label", "\"\(label)\""),
            ("concurrency", "\(concurrency)"),
            ("duration_s", format(duration)),
            ("completed", "\(total.completed)"),
            ("failed", "\(total.failedTotal)"),
            ("failed_status", "\(total.failedStatus)"),
            ("failed_statuses", "\"" + total.statuses.sorted { $0.key < $1.key }.map { "\($0.key)x\($0.value)" }
                .joined(separator: " ") + "\""),
            ("failed_cut", "\(total.failedCut)"),
            ("failed_no_done", "\(total.failedNoDone)"),
            ("failed_connect", "\(total.failedConnect)"),
            ("failed_timeout", "\(total.failedTimeout)"),
            ("failed_before_window", "\(total.failedBeforeWindow)"),
            ("chunks", "\(total.chunks)"),
            ("ttfc_count", "\(ttfc.count)"),
            ("ttfc_p50_ms", millis(percentile(ttfc, 0.50))),
            ("ttfc_p99_ms", millis(percentile(ttfc, 0.99))),
            ("ttfc_max_ms", millis(ttfc.last)),
            ("gap_p50_ms", millis(percentile(gaps, 0.50))),
            ("gap_p99_ms", millis(percentile(gaps, 0.99))),
            ("gap_max_ms", millis(gaps.last)),
            ("open_at_sample", "\(openAtSample)"),
        ]
        if !watched.isEmpty {
            fields += [
                ("rss_before_kb", "\(rssBefore)"),
                ("rss_during_kb", "\(rssDuring)"),
                ("cpu_us", format(cpuMicros)),
                ("cpu_us_per_chunk", total.chunks > 0 ? format(cpuMicros / Double(total.chunks)) : "null"),
            ]
        }
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    private static func sleep(until deadline: NIODeadline) {
        let left = deadline.uptimeNanoseconds &- NIODeadline.now().uptimeNanoseconds
        guard Int64(bitPattern: left) > 0 else { return }
        var request = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    private static func percentile(_ sorted: [UInt32], _ q: Double) -> UInt32? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    private static func millis(_ micros: UInt32?) -> String {
        guard let micros else { return "null" }
        return format(Double(micros) / 1000)
    }

    static func format(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}

struct ClientConfig: Sendable {
    var host: String
    var port: Int
    var path: String
    var includeUsage: Bool
    var timeout: TimeAmount
    /// The pause after a failed stream or connection before the next try.
    var retryPause: TimeAmount
}

struct Window: Sendable {
    var start: NIODeadline
    var end: NIODeadline

    func contains(_ time: NIODeadline) -> Bool { time >= start && time < end }
}

/// Figures shared by every loop.
final class Shared: Sendable {
    /// Streams with a request sent and no end yet.
    let open = Atomic<Int>(0)
}

/// One event loop's figures; touched on that loop only.
final class LoopStats: @unchecked Sendable {
    struct Counts: Sendable {
        var completed = 0
        var failedStatus = 0
        var failedCut = 0
        var failedNoDone = 0
        var failedConnect = 0
        var failedTimeout = 0
        var failedBeforeWindow = 0
        var chunks = 0
        /// Failed streams by status code.
        var statuses: [UInt: Int] = [:]

        var failedTotal: Int { failedStatus + failedCut + failedNoDone + failedConnect + failedTimeout }

        mutating func add(_ other: Counts) {
            completed += other.completed
            failedStatus += other.failedStatus
            failedCut += other.failedCut
            failedNoDone += other.failedNoDone
            failedConnect += other.failedConnect
            failedTimeout += other.failedTimeout
            failedBeforeWindow += other.failedBeforeWindow
            chunks += other.chunks
            statuses.merge(other.statuses, uniquingKeysWith: +)
        }
    }

    struct Snapshot: Sendable {
        var counts: Counts
        var ttfc: [UInt32]
        var gaps: [UInt32]
    }

    var counts = Counts()
    /// Microseconds.
    var ttfc: [UInt32] = []
    var gaps: [UInt32] = []

    init() {
        ttfc.reserveCapacity(1 << 16)
        gaps.reserveCapacity(1 << 20)
    }

    func snapshot() -> Snapshot { Snapshot(counts: counts, ttfc: ttfc, gaps: gaps) }
}

enum Failure { case status, cut, noDone, connect, timeout }

/// One virtual client: one connection at a time, one stream at a time, on one event loop.
/// Every method runs on `loop`.
final class VirtualClient: @unchecked Sendable {
    private let id: Int
    private let loop: any EventLoop
    private let config: ClientConfig
    private let window: Window
    private let stats: LoopStats
    private let shared: Shared
    private let request: ByteBuffer

    private var channel: (any Channel)?
    private var stopped = false
    /// Waiting out the pause after a failure.
    private var pausing = false
    private var inStream = false
    private var status: UInt = 0
    private var sentAt = NIODeadline.uptimeNanoseconds(0)
    private var lastEvent: NIODeadline?
    private var sawDone = false
    private var keepAlive = true
    private var carry = ByteBuffer()
    private var timeout: Scheduled<Void>?

    init(id: Int, loop: any EventLoop, config: ClientConfig, window: Window, stats: LoopStats, shared: Shared) {
        self.id = id
        self.loop = loop
        self.config = config
        self.window = window
        self.stats = stats
        self.shared = shared
        let usage = config.includeUsage ? #","stream_options":{"include_usage":true}"# : ""
        request = ByteBuffer(
            string: #"{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"user":"u-\#(id)","stream":true\#(usage)}"#)
    }

    func connect() {
        guard !stopped else { return }
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(StreamReader(owner: self))
                }
            }
            .connect(host: config.host, port: config.port)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    if stopped {
                        channel.close(promise: nil)
                        return
                    }
                    guard channel.isActive else {
                        record(.connect)
                        retryLater()
                        return
                    }
                    self.channel = channel
                    send()
                case .failure:
                    record(.connect)
                    retryLater()
                }
            }
    }

    private func retryLater() {
        guard !stopped, NIODeadline.now() < window.end else { return }
        loop.scheduleTask(in: config.retryPause) { [self] in connect() }
    }

    private func send() {
        guard let channel, !stopped else { return }
        if NIODeadline.now() >= window.end {
            stop()
            return
        }
        inStream = true
        status = 0
        sawDone = false
        keepAlive = true
        lastEvent = nil
        carry.clear()
        shared.open.add(1, ordering: .relaxed)
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "\(config.host):\(config.port)")
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: "text/event-stream")
        headers.add(name: "content-length", value: String(request.readableBytes))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: config.path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(request)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        sentAt = NIODeadline.now()
        timeout = loop.scheduleTask(in: config.timeout) { [self] in
            timeout = nil
            guard inStream else { return }
            endStream(.timeout)
            dropConnection()
            connect()
        }
    }

    // MARK: events from the channel's StreamReader

    func head(_ head: HTTPResponseHead, from source: any Channel) {
        guard source === channel else { return }
        status = head.status.code
        keepAlive = head.isKeepAlive
    }

    func body(_ part: ByteBuffer, from source: any Channel) {
        guard source === channel, inStream, status == 200 else { return }
        var part = part
        carry.writeBuffer(&part)
        let now = NIODeadline.now()
        // Complete events end with a blank line ("\n\n" or "\r\n\r\n"); the rest waits in
        // `carry` for the next read.
        while let (eventLength, consumed) = nextEvent() {
            let isData = eventLength >= 5 && carry.getString(at: carry.readerIndex, length: 5) == "data:"
            let isDone = isData && eventLength >= 12
                && carry.getString(at: carry.readerIndex, length: 12) == "data: [DONE]"
            carry.moveReaderIndex(forwardBy: consumed)
            guard isData else { continue }
            if isDone {
                sawDone = true
                continue
            }
            let counted = window.contains(now)
            if counted { stats.counts.chunks += 1 }
            if let lastEvent {
                if counted { stats.gaps.append(micros(now - lastEvent)) }
            } else if counted {
                stats.ttfc.append(micros(now - sentAt))
            }
            lastEvent = now
        }
        carry.discardReadBytes()
    }

    /// The first complete event in `carry`: its length (without the blank line) and the bytes
    /// to consume (with it), or nil when no blank line has arrived yet.
    private func nextEvent() -> (Int, Int)? {
        let view = carry.readableBytesView
        var lineStart = view.startIndex
        var index = view.startIndex
        while index < view.endIndex {
            if view[index] == 0x0A {
                var lineEnd = index
                if lineEnd > lineStart, view[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd == lineStart {
                    return (lineStart - view.startIndex, index + 1 - view.startIndex)
                }
                lineStart = index + 1
            }
            index += 1
        }
        return nil
    }

    func end(from source: any Channel) {
        guard source === channel, inStream else { return }
        let failure: Failure? = status != 200 ? .status : (sawDone ? nil : .noDone)
        endStream(failure)
        if !keepAlive { dropConnection() }
        // A client that was refused waits before it asks again, as a real one would: without the
        // pause a proxy that sheds load answers a tight loop of refusals instead of streams.
        if failure == nil {
            if channel != nil { send() } else { connect() }
        } else {
            pausing = true
            loop.scheduleTask(in: config.retryPause) { [self] in
                pausing = false
                if channel != nil { send() } else { connect() }
            }
        }
    }

    /// A connection closed: the current one (cut by the peer) or one this client dropped itself,
    /// whose events no longer count.
    func inactive(from source: any Channel) {
        guard source === channel else { return }
        channel = nil
        guard !stopped else { return }
        if inStream { endStream(.cut) }
        if !pausing { retryLater() }  // else the pause's end connects
    }

    /// Stops for good: no new stream, and the connection closes (streams cut now are not counted).
    func stop() {
        stopped = true
        timeout?.cancel()
        timeout = nil
        if inStream {
            inStream = false
            shared.open.add(-1, ordering: .relaxed)
        }
        dropConnection()
    }

    private func dropConnection() {
        let channel = self.channel
        self.channel = nil
        channel?.close(promise: nil)
    }

    private func endStream(_ failure: Failure?) {
        inStream = false
        shared.open.add(-1, ordering: .relaxed)
        timeout?.cancel()
        timeout = nil
        guard let failure else {
            if window.contains(NIODeadline.now()) { stats.counts.completed += 1 }
            return
        }
        record(failure)
    }

    private func record(_ failure: Failure) {
        let now = NIODeadline.now()
        guard window.contains(now) else {
            if now < window.start { stats.counts.failedBeforeWindow += 1 }
            return
        }
        switch failure {
        case .status:
            stats.counts.failedStatus += 1
            stats.counts.statuses[status, default: 0] += 1
        case .cut: stats.counts.failedCut += 1
        case .noDone: stats.counts.failedNoDone += 1
        case .connect: stats.counts.failedConnect += 1
        case .timeout: stats.counts.failedTimeout += 1
        }
    }

    private func micros(_ amount: TimeAmount) -> UInt32 {
        UInt32(clamping: max(0, amount.nanoseconds / 1000))
    }
}

/// Passes a connection's response parts to its virtual client.
final class StreamReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let owner: VirtualClient

    init(owner: VirtualClient) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): owner.head(head, from: context.channel)
        case .body(let part): owner.body(part, from: context.channel)
        case .end: owner.end(from: context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        owner.inactive(from: context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
