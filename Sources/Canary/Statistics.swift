/// The few statistics the scorer needs, written out so that their behaviour is plain.
public enum Statistics {
    /// The standard normal quantile Φ⁻¹(p), by Acklam's rational approximation
    /// (relative error below 1.2 × 10⁻⁹ over the open unit interval).
    ///
    /// ```swift
    /// Statistics.normalQuantile(0.95)  // ≈ 1.6449
    /// ```
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "normalQuantile needs 0 < p < 1")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low {
            let q = (-2 * log(1 - p)).squareRoot()
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }

    /// The Wilson score interval for a proportion: `successes` out of `trials` at normal quantile `z`.
    ///
    /// Unlike the textbook p ± z·√(p(1−p)/n), it stays inside [0, 1] and does not
    /// collapse to a point when every call succeeded: 100 out of 100 at z = 1.645
    /// gives a lower bound of about 0.974, not 1.
    ///
    /// - Returns: `(lower, upper)`; `(0, 1)` with no trials.
    public static func wilson(successes: Int, trials: Int, z: Double) -> (lower: Double, upper: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Newcombe's hybrid score interval for the difference of two proportions, `p₁ − p₂`.
    ///
    /// Built from the two Wilson intervals (Newcombe 1998, method 10), it behaves
    /// well when rates sit near 1 and failures are few, which is exactly the case
    /// of two healthy LLM paths, where the Wald interval is far too narrow.
    ///
    /// - Returns: `(lower, upper)` bounds on `p₁ − p₂`.
    public static func newcombeDifference(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int, z: Double
    ) -> (lower: Double, upper: Double) {
        let p1 = trials1 == 0 ? 0 : Double(successes1) / Double(trials1)
        let p2 = trials2 == 0 ? 0 : Double(successes2) / Double(trials2)
        let (l1, u1) = wilson(successes: successes1, trials: trials1, z: z)
        let (l2, u2) = wilson(successes: successes2, trials: trials2, z: z)
        let d = p1 - p2
        let lower = d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let upper = d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        return (lower, upper)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
