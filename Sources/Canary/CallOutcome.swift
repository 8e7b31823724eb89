/// What happened to one call on one path: the unit the health window counts.
public struct CallOutcome: Sendable, Hashable {
    /// Success, or failure with its class.
    public enum Status: Sendable, Hashable {
        case success
        case failure(FailureClass)
    }

    /// Success or the failure's class.
    public var status: Status
    /// Time from sending the request to the last byte of the answer (or the failure).
    public var latency: Duration
    /// Time to the first streamed token, for streams.
    public var timeToFirstToken: Duration?
    /// Prompt tokens billed.
    public var inputTokens: Int
    /// Completion tokens billed.
    public var outputTokens: Int
    /// Spend in US dollars.
    public var cost: Double
    /// The model the call asked for, so that the scorer can compare each model's relay rate with
    /// the same model's legacy rate; `nil` leaves the call out of the per-model counts (it still
    /// counts for its path).
    public var model: String?

    /// Creates an outcome.
    public init(
        _ status: Status,
        latency: Duration,
        timeToFirstToken: Duration? = nil,
        inputTokens: Int = 0,
        outputTokens: Int = 0,
        cost: Double = 0,
        model: String? = nil
    ) {
        self.status = status
        self.latency = latency
        self.timeToFirstToken = timeToFirstToken
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.model = model
    }
}

/// Counts of failures per ``FailureClass``; encoded as `{"rateLimited": 3, …}` (zeros left out).
public struct FailureCounts: Sendable, Hashable, Codable {
    private var counts: [Int]

    /// All zero.
    public init() {
        counts = Array(repeating: 0, count: FailureClass.allCases.count)
    }

    /// The count for one class.
    public subscript(failureClass: FailureClass) -> Int {
        get { counts[failureClass.index] }
        set { counts[failureClass.index] = newValue }
    }

    /// Subtracts another set of counts.
    public mutating func subtract(_ other: FailureCounts) {
        for i in counts.indices { counts[i] -= other.counts[i] }
    }

    /// The failures that count against a path (client errors and cancellations excluded).
    public var againstPath: Int {
        FailureClass.pathFailures.reduce(0) { $0 + self[$1] }
    }

    /// Adds another set of counts.
    public mutating func add(_ other: FailureCounts) {
        for i in counts.indices { counts[i] += other.counts[i] }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let byName = try decoder.singleValueContainer().decode([String: Int].self)
        for (name, count) in byName {
            // A class this build does not know comes from a newer replica of a fleet being
            // upgraded (or a newer record): it is still a failure of the path, counted as `other`,
            // rather than a record that cannot be read.
            self[FailureClass(rawValue: name) ?? .other] += count
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: nonZero.map { ($0.0.rawValue, $0.1) }))
    }

    /// The non-zero counts, in class order (for display and reasons).
    public var nonZero: [(FailureClass, Int)] {
        FailureClass.allCases.compactMap { self[$0] > 0 ? ($0, self[$0]) : nil }
    }
}

extension FailureClass {
    @usableFromInline
    var index: Int {
        switch self {
        case .timeout: 0
        case .rateLimited: 1
        case .serverError: 2
        case .connection: 3
        case .authError: 4
        case .clientError: 5
        case .cancelled: 6
        case .other: 7
        case .tls: 8
        case .dns: 9
        }
    }
}
