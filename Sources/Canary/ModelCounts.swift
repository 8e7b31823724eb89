/// One model's calls on one path: the stratum the scorer compares like with like.
///
/// Only counts are kept per model (no histograms), so that a window of many models stays
/// small: what the per-model comparison needs is the success rate, and the operator's table
/// shows calls, successes, failures and client errors. Encoded as
/// `{"requests": 120, "successes": 118, "failures": 2, "clientErrors": 0}`.
public struct ModelCounts: Sendable, Hashable, Codable {
    /// Every call recorded for the model, client errors and cancellations included.
    public var requests: Int
    /// Calls that succeeded.
    public var successes: Int
    /// Failures that count against the path (client errors and cancellations left out).
    public var failures: Int
    /// Client errors (4xx): the caller's doing, counted apart.
    public var clientErrors: Int

    /// Creates counts (all zero by default).
    public init(requests: Int = 0, successes: Int = 0, failures: Int = 0, clientErrors: Int = 0) {
        self.requests = requests
        self.successes = successes
        self.failures = failures
        self.clientErrors = clientErrors
    }

    /// Judged calls: successes plus failures that count against the path.
    public var judged: Int { successes + failures }

    /// Successes over judged calls, or `nil` with no judged call.
    public var successRate: Double? { judged == 0 ? nil : Double(successes) / Double(judged) }

    /// Whether nothing was recorded.
    public var isEmpty: Bool { requests == 0 }

    @inline(__always)
    mutating func record(_ status: CallOutcome.Status) {
        requests += 1
        switch status {
        case .success: successes += 1
        case .failure(let failureClass):
            if failureClass.countsAgainstPath {
                failures += 1
            } else if failureClass == .clientError {
                clientErrors += 1
            }
        }
    }

    /// Adds another model's counts (summing replicas, or folding models into `other`).
    public mutating func add(_ other: ModelCounts) {
        requests += other.requests
        successes += other.successes
        failures += other.failures
        clientErrors += other.clientErrors
    }

    mutating func subtract(_ other: ModelCounts) {
        requests -= other.requests
        successes -= other.successes
        failures -= other.failures
        clientErrors -= other.clientErrors
    }
}

/// Where a call's per-model counts go: nowhere (no model named), its model's row, or the
/// bucket's `unlisted` row once the bucket already tracks ``WindowConfiguration/modelLimit`` models.
enum ModelSlot {
    case none
    case named(String)
    case unlisted
}

extension [String: ModelCounts] {
    mutating func add(_ other: [String: ModelCounts]) {
        for (model, counts) in other { self[model, default: ModelCounts()].add(counts) }
    }

    mutating func subtract(_ other: [String: ModelCounts]) {
        for (model, counts) in other {
            guard var mine = self[model] else { continue }
            mine.subtract(counts)
            self[model] = mine.isEmpty ? nil : mine
        }
    }
}
