import ParetoCore

/// A problem with where a study is stored rather than with the study itself:
/// a malformed storage URL, a database that cannot be reached or opened, a
/// schema written by a newer Pareto.
///
/// Study and trial rules (a finished trial, a missing study) stay
/// `TuneError`s whatever the storage; this type covers what only a database
/// storage can get wrong. Switch on `kind`; `description` names the URL,
/// file or server and says what to do.
public struct StorageError: ParetoError, Equatable {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Hashable {
        /// A storage URL that cannot be parsed (unknown scheme, missing
        /// database name, bad port).
        case invalidURL
        /// The database file cannot be opened or created, or the server
        /// cannot be reached or refuses the login.
        case unreachable
        /// The database holds Pareto tables of a schema version this build
        /// does not know (written by a newer Pareto).
        case incompatibleSchema
        /// The database refused a statement (a full disk, a lock held past
        /// the busy timeout, a broken connection mid-transaction).
        case databaseFailure
    }

    /// What kind of problem this is.
    public let kind: Kind
    /// What went wrong, naming the URL, file or server.
    public let message: String
    /// What to do about it.
    public let hint: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }
}
