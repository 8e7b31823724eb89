/// How randomness is mixed into a back-off delay.
///
/// With `capped = min(maximum, initial · multiplierⁿ⁻¹)` for the n-th retry:
///
/// | variant         | delay                                      | bounds                       |
/// |-----------------|--------------------------------------------|------------------------------|
/// | `none`          | `capped`                                   | exactly `capped`             |
/// | `full`          | `U(0, capped)`                             | `0 ... capped`               |
/// | `equal`         | `capped/2 + U(0, capped/2)`                | `capped/2 ... capped`        |
/// | `decorrelated`  | `min(maximum, U(initial, 3 · previous))`   | `initial ... maximum`        |
///
/// Full jitter is the default: it spreads a thundering herd best (AWS
/// Architecture Blog, "Exponential Backoff and Jitter"). The cap is applied
/// before the jitter, so no variant ever exceeds ``Backoff/maximum``.
///
/// ```swift
/// let backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10), jitter: .decorrelated)
/// ```
public enum Jitter: String, Sendable, Hashable, CaseIterable, Codable {
    /// No randomness: the capped exponential delay.
    case none
    /// Uniform in `0 ... capped` (the default).
    case full
    /// Half fixed, half random: uniform in `capped/2 ... capped`.
    case equal
    /// Each delay drawn from `initial ... 3 · previous`, capped.
    case decorrelated
}
