/// Where `shepherd report` finds the state file when `--state` is not given: where
/// `shepherd serve` writes it.
///
/// `serve` reads `--config FILE` (or `shepherd.yaml` when it exists) and takes the state file from
/// its top-level `state:` key, `shepherd.sqlite` when the key is absent. The report reads only that
/// key, so a configuration that `serve` would refuse for another reason (an API key variable not
/// set in the operator's shell, say) does not stop a report.
///
/// ```swift
/// ReportStateFile.path(inConfiguration: "listen: 127.0.0.1:8080\nstate: /var/lib/shepherd.sqlite  # WAL\n")
/// // "/var/lib/shepherd.sqlite"
/// ```
public enum ReportStateFile {
    /// The state file `serve` uses without a `state:` key.
    public static let fallback = "shepherd.sqlite"
    /// The configuration file `serve` reads when it exists and no `--config` is given.
    public static let defaultConfiguration = "shepherd.yaml"

    /// The value of the top-level `state:` key of a `shepherd.yaml` text, or `nil` when absent or empty.
    ///
    /// Reads the key the way the documented file writes it: at the start of a line, the value plain,
    /// single- or double-quoted, and an optional `# comment` after it.
    public static func path(inConfiguration text: String) -> String? {
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            guard rawLine.hasPrefix("state:") else { continue }
            let value = rawLine.dropFirst("state:".count).drop { $0 == " " || $0 == "\t" }
            let path: Substring
            if let quote = value.first, quote == "\"" || quote == "'" {
                let body = value.dropFirst()
                guard let close = body.firstIndex(of: quote) else { return nil }
                path = body[..<close]
            } else {
                var plain = value[...]
                if let comment = plain.firstRange(of: " #") ?? plain.firstRange(of: "\t#") {
                    plain = plain[..<comment.lowerBound]
                }
                if plain.hasPrefix("#") { plain = "" }
                path = plain
            }
            let trimmed = path.trimmingWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
