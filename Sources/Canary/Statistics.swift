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
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
        ]
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
        newcombe(successes1: successes1, trials1: trials1, successes2: successes2, trials2: trials2, z: z, wilson)
    }

    /// The Wilson score interval with a continuity correction (Newcombe 1998, method 4).
    ///
    /// Wider than ``wilson(successes:trials:z:)``, and conservative where the plain interval is
    /// not: in the tail of a small sample near 100% (15 calls of a model on the relay), whose
    /// discreteness lets the plain interval miss a true rate of 96% more often than its
    /// confidence says. The per-model comparison uses it, because it must not name a model on
    /// noise.
    ///
    /// - Returns: `(lower, upper)`; `(0, 1)` with no trials.
    public static func wilsonCorrected(successes: Int, trials: Int, z: Double) -> (lower: Double, upper: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials)
        let p = Double(successes) / n
        let q = 1 - p
        let z2 = z * z
        let denominator = 2 * (n + z2)
        let lower =
            successes == 0
            ? 0 : (2 * n * p + z2 - 1 - z * max(0, z2 - 2 - 1 / n + 4 * p * (n * q + 1)).squareRoot()) / denominator
        let upper =
            successes == trials
            ? 1 : (2 * n * p + z2 + 1 + z * max(0, z2 + 2 - 1 / n + 4 * p * (n * q - 1)).squareRoot()) / denominator
        return (max(0, min(lower, p)), min(1, max(upper, p)))
    }

    /// Newcombe's interval for `p₁ − p₂` built from continuity-corrected Wilson intervals
    /// (Newcombe 1998, method 11): the conservative form of ``newcombeDifference(successes1:trials1:successes2:trials2:z:)``.
    ///
    /// - Returns: `(lower, upper)` bounds on `p₁ − p₂`.
    public static func newcombeDifferenceCorrected(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int, z: Double
    ) -> (lower: Double, upper: Double) {
        newcombe(
            successes1: successes1, trials1: trials1, successes2: successes2, trials2: trials2, z: z, wilsonCorrected)
    }

    /// Newcombe's hybrid score interval for `p₁ − p₂` from a one-sample `interval` of each rate.
    private static func newcombe(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int, z: Double,
        _ interval: (_ successes: Int, _ trials: Int, _ z: Double) -> (lower: Double, upper: Double)
    ) -> (lower: Double, upper: Double) {
        let p1 = trials1 == 0 ? 0 : Double(successes1) / Double(trials1)
        let p2 = trials2 == 0 ? 0 : Double(successes2) / Double(trials2)
        let (l1, u1) = interval(successes1, trials1, z)
        let (l2, u2) = interval(successes2, trials2, z)
        let d = p1 - p2
        let lower = d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let upper = d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        return (lower, upper)
    }

    /// One stratum of a stratified comparison: successes and trials of each of the two groups.
    public struct Stratum: Sendable, Hashable {
        public var successes1: Int
        public var trials1: Int
        public var successes2: Int
        public var trials2: Int

        /// Creates a stratum.
        public init(successes1: Int, trials1: Int, successes2: Int, trials2: Int) {
            self.successes1 = successes1
            self.trials1 = trials1
            self.successes2 = successes2
            self.trials2 = trials2
        }
    }

    /// A stratified difference of two proportions, `Σ wₖ (p₁ₖ − p₂ₖ)`, with a weighted Newcombe
    /// interval around it.
    ///
    /// The weights are Mantel–Haenszel's, `wₖ ∝ n₁ₖ n₂ₖ / (n₁ₖ + n₂ₖ)`: the same for both groups,
    /// so a stratum that is common in one group and rare in the other counts once, as a
    /// comparison within itself, never as a shift of the pooled rate; and the most efficient
    /// weights when the difference is the same in every stratum. Each group's weighted rate
    /// `p̄ = Σ wₖ pₖ` gets a Wilson interval on its effective sample size (Kish's
    /// `1 / Σ wₖ²/nₖ`: the whole group when the weights follow its own mix, fewer when they
    /// standardise it to the other's), and the two are combined as Newcombe combines them,
    /// by squaring and adding (the stratified Newcombe interval of Yan and Su, 2010).
    ///
    /// With one stratum it is exactly ``newcombeDifference(successes1:trials1:successes2:trials2:z:)``.
    /// Strata with no trial in either group carry no weight.
    ///
    /// - Returns: the weighted difference and its bounds; `(0, -1, 1)` without a usable stratum.
    public static func stratifiedNewcombeDifference(_ strata: [Stratum], z: Double)
        -> (estimate: Double, lower: Double, upper: Double)
    {
        let weights = strata.map { s -> Double in
            guard s.trials1 > 0, s.trials2 > 0 else { return 0 }
            return Double(s.trials1) * Double(s.trials2) / Double(s.trials1 + s.trials2)
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { return (0, -1, 1) }
        var p1 = 0.0
        var p2 = 0.0
        var inverse1 = 0.0
        var inverse2 = 0.0
        for (s, weight) in zip(strata, weights) where weight > 0 {
            let w = weight / total
            p1 += w * Double(s.successes1) / Double(s.trials1)
            p2 += w * Double(s.successes2) / Double(s.trials2)
            inverse1 += w * w / Double(s.trials1)
            inverse2 += w * w / Double(s.trials2)
        }
        let (l1, u1) = wilson(proportion: p1, trials: 1 / inverse1, z: z)
        let (l2, u2) = wilson(proportion: p2, trials: 1 / inverse2, z: z)
        let d = p1 - p2
        return (
            d, d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot(),
            d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        )
    }

    /// Wilson's interval for a proportion `p` on a (possibly fractional, effective) number of trials.
    static func wilson(proportion p: Double, trials n: Double, z: Double) -> (lower: Double, upper: Double) {
        guard n > 0 else { return (0, 1) }
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
