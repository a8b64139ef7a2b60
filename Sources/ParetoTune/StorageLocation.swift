import Foundation

/// Where a study storage lives, parsed from the text a user gives
/// (`--storage` on the command line).
///
/// ```swift
/// try StorageLocation(parsing: nil)                              // .sqlite(".pareto/studies.sqlite")
/// try StorageLocation(parsing: "sqlite:///runs/s.db")             // .sqlite("runs/s.db")
/// try StorageLocation(parsing: "sqlite:////tmp/s.db")             // .sqlite("/tmp/s.db")
/// try StorageLocation(parsing: "postgresql://me@db:5432/studies") // .postgres(…)
/// ```
///
/// Rules: SQLite URLs follow SQLAlchemy's (and so Optuna's) form: the path
/// is everything after `sqlite:///`, so a fourth slash makes it absolute.
/// PostgreSQL URLs are `postgresql://user[:password]@host[:port]/database`
/// (`postgres://` too), with percent-escapes decoded and port 5432 by default,
/// optionally followed by `?sslmode=…&sslrootcert=PATH` (see `PostgresAddress`).
/// `memory` is a storage private to the process. Parsing touches no file
/// and no network.
public enum StorageLocation: Sendable, Hashable {
    /// A storage in this process's memory (`InMemoryStorage`): nothing is kept.
    case memory
    /// A SQLite file at this path (relative paths from the working directory).
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresAddress)

    /// The file used when the user names no storage: `./.pareto/studies.sqlite`.
    public static let defaultSQLitePath = ".pareto/studies.sqlite"

    /// Parses a storage URL; `nil` or an empty text means the default SQLite file.
    ///
    /// - Throws: `StorageError` of kind `.invalidURL` naming the part that is wrong.
    public init(parsing text: String?) throws {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            self = .sqlite(path: StorageLocation.defaultSQLitePath)
            return
        }
        if text == "memory" || text == "memory:" {
            self = .memory
        } else if text.hasPrefix("sqlite:") {
            guard text.hasPrefix("sqlite:///") else {
                throw StorageError(.invalidURL, "storage URL \"\(text)\": a SQLite URL is sqlite:///PATH",
                                   hint: "write sqlite:///studies.sqlite (relative) or sqlite:////abs/path/studies.sqlite")
            }
            let path = String(text.dropFirst("sqlite:///".count))
            guard !path.isEmpty, !path.hasSuffix("/") else {
                throw StorageError(.invalidURL, "storage URL \"\(text)\" names no file after sqlite:///",
                                   hint: "write sqlite:///studies.sqlite")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgresql:") || text.hasPrefix("postgres:") {
            self = .postgres(try PostgresAddress(parsing: text))
        } else {
            throw StorageError(.invalidURL, "storage URL \"\(text)\" has an unknown scheme",
                               hint: "use sqlite:///PATH, postgresql://user@host:port/database or memory")
        }
    }
}

/// A PostgreSQL server, login and database, parsed from
/// `postgresql://user[:password]@host[:port]/database[?sslmode=MODE[&sslrootcert=PATH]]`.
///
/// The password is kept out of `description`, so the address can be printed
/// in progress lines and errors. `sslmode` takes libpq's names (see
/// `PostgresTLSMode`; `disable` when absent, or `verify-full` when only
/// `sslrootcert` is given); `sslrootcert` is a PEM file of the certificates
/// to trust instead of the system's.
public struct PostgresAddress: Sendable, Hashable, CustomStringConvertible {
    /// The login role.
    public var user: String
    /// The password, when the URL carries one.
    public var password: String?
    /// Host name or IP address.
    public var host: String
    /// TCP port (5432 unless given).
    public var port: Int
    /// The database name.
    public var database: String
    /// Whether and how the connection uses TLS.
    public var tlsMode: PostgresTLSMode
    /// A PEM file of trusted root certificates (`sslrootcert`); `nil` trusts the system's.
    public var tlsRootCertificate: String?

    /// Creates an address from its parts.
    public init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String,
                tlsMode: PostgresTLSMode = .disable, tlsRootCertificate: String? = nil) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tlsMode = tlsMode
        self.tlsRootCertificate = tlsRootCertificate
    }

    /// Parses `postgresql://user[:password]@host[:port]/database`.
    ///
    /// - Throws: `StorageError(.invalidURL)` naming the missing or malformed part.
    public init(parsing text: String) throws {
        func invalid(_ what: String) -> StorageError {
            StorageError(.invalidURL, "storage URL \"\(PostgresAddress.redacted(text))\": \(what)",
                         hint: "write postgresql://user@host:5432/database (postgresql://user:password@host/database with a password)")
        }
        guard let components = URLComponents(string: text),
              components.scheme == "postgresql" || components.scheme == "postgres" else {
            throw invalid("not a postgresql:// URL")
        }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user name before @") }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port \(port) is outside 1…65535") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else { throw invalid("no database name after the host (…:port/database)") }
        var mode: PostgresTLSMode?
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = PostgresTLSMode(rawValue: value) else {
                    throw invalid("sslmode \"\(item.value ?? "")\" is not one of "
                                  + PostgresTLSMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw invalid("sslrootcert needs a file path") }
                rootCertificate = value
            default:
                throw invalid("query option \"\(item.name)\" is not supported (sslmode and sslrootcert are)")
            }
        }
        if rootCertificate != nil, mode == .disable {
            throw invalid("sslrootcert with sslmode=disable: a root certificate needs TLS (sslmode=verify-full)")
        }
        self.init(user: user.removingPercentEncoding ?? user,
                  password: components.password.map { $0.removingPercentEncoding ?? $0 },
                  host: host, port: port, database: path.removingPercentEncoding ?? path,
                  tlsMode: mode ?? (rootCertificate == nil ? .disable : .verifyFull), tlsRootCertificate: rootCertificate)
    }

    /// `postgresql://user@host:port/database`, without the password, with
    /// `?sslmode=…` (and `&sslrootcert=…`) when TLS is on.
    public var description: String {
        let base = "postgresql://\(user)@\(host):\(port)/\(database)"
        guard tlsMode != .disable else { return base }
        return base + "?sslmode=\(tlsMode.rawValue)" + (tlsRootCertificate.map { "&sslrootcert=\($0)" } ?? "")
    }

    /// A URL text with any password replaced by `***`, for error messages.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://") else { return text }
        let credentials = text[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// How a PostgreSQL connection uses TLS, by libpq's `sslmode` names.
///
/// Rules: `disable` is plain TCP; `prefer` uses TLS when the server offers
/// it, unchecked; `require` refuses a server without TLS but checks no
/// certificate (encryption without identity) — unless `sslrootcert` is
/// given, when it checks the chain as `verify-ca` does (as libpq);
/// `verify-ca` checks that the certificate chains to a trusted root;
/// `verify-full` also that it names the host (DNS name or IP address).
public enum PostgresTLSMode: String, Sendable, Hashable, CaseIterable {
    /// Plain TCP.
    case disable
    /// TLS when the server offers it, no certificate check.
    case prefer
    /// TLS or no connection; no certificate check without `sslrootcert`.
    case require
    /// TLS with a certificate that chains to a trusted root.
    case verifyCA = "verify-ca"
    /// TLS with a trusted certificate that names the host.
    case verifyFull = "verify-full"
}
