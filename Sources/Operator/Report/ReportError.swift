/// Why a report could not be made, naming the state file and what to do.
///
/// ```text
/// state file /var/lib/shepherd/state.sqlite does not exist; pass --state FILE (shepherd serve's state: key)
/// state file shepherd.sqlite holds 2 rollouts (checkout, search); pass --rollout ID
/// ```
public struct ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// No file at the path.
        case storeMissing
        /// The path exists but cannot be read (a directory, no permission, an empty file).
        case storeUnreadable
        /// The file is not a SQLite database.
        case notAStore
        /// The store could not be opened or read (the store's own error).
        case storeFailed
        /// The store holds no rollout.
        case noRollout
        /// The store holds several rollouts and none was named.
        case ambiguousRollout
        /// The named rollout is not in the store.
        case unknownRollout
    }

    /// What went wrong.
    public var code: Code
    /// The state file, as given.
    public var path: String
    /// The sentence shown to the operator.
    public var message: String

    public var description: String { message }
}
