import Canary
import Shepherd

/// Figures derived from a path's summary for display.
///
/// Kept as functions of an operator-side namespace rather than extensions on ``PathSummary``, so
/// that other parts of the module (the report) can derive their own without a name clash.
enum PathFigures {
    /// The calls that judge the path: successes plus the failures that count against it
    /// (client errors and cancellations excluded), as the scorer counts them.
    static func judged(_ path: PathSummary) -> Int { path.successes + path.failures.againstPath }

    /// The Wilson score interval of the success rate at the scorer's one-sided `confidence`.
    ///
    /// The bounds are the ones the scorer compares (the floor check reads the upper bound at this
    /// confidence), so what the dashboard shows is what the verdict was made on.
    ///
    /// - Returns: `(lower, upper)`, or `nil` with no judged call.
    static func successInterval(_ path: PathSummary, confidence: Double) -> (lower: Double, upper: Double)? {
        let n = judged(path)
        guard n > 0, confidence > 0, confidence < 1 else { return nil }
        return Statistics.wilson(successes: path.successes, trials: n, z: Statistics.normalQuantile(confidence))
    }

    /// Spend per thousand requests in US dollars, or `nil` without requests.
    static func costPer1k(_ path: PathSummary) -> Double? {
        path.requests == 0 ? nil : path.cost / Double(path.requests) * 1000
    }
}
