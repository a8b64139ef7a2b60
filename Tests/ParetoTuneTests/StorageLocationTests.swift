import Testing
@testable import ParetoTune

@Suite struct StorageLocationTests {
    @Test func parsesEveryForm() throws {
        #expect(try StorageLocation(parsing: nil) == .sqlite(path: ".pareto/studies.sqlite"))
        #expect(try StorageLocation(parsing: "  ") == .sqlite(path: ".pareto/studies.sqlite"))
        #expect(try StorageLocation(parsing: "sqlite:///runs/a.db") == .sqlite(path: "runs/a.db"))
        #expect(try StorageLocation(parsing: "sqlite:////tmp/a.db") == .sqlite(path: "/tmp/a.db"))
        #expect(try StorageLocation(parsing: "memory") == .memory)
        let address = PostgresAddress(user: "tuner", password: "p@ss", host: "db.local", port: 6543, database: "studies")
        #expect(try StorageLocation(parsing: "postgresql://tuner:p%40ss@db.local:6543/studies") == .postgres(address))
        let plain = try PostgresAddress(parsing: "postgres://me@127.0.0.1/db")
        #expect(plain == PostgresAddress(user: "me", host: "127.0.0.1", port: 5432, database: "db"))
        #expect(address.description == "postgresql://tuner@db.local:6543/studies")  // no password
    }

    @Test func refusesMalformedURLsNamingThePart() throws {
        let cases: [(String, String)] = [
            ("sqlite://a.db", "sqlite:///PATH"),
            ("sqlite:///", "names no file"),
            ("mysql://u@h/db", "unknown scheme"),
            ("postgresql://db.local/studies", "no user"),
            ("postgresql://me@db.local", "no database"),
            ("postgresql://me@db.local:99999/s", "port"),
            ("postgresql://me:secret@db.local/s?sslmode=always", "sslmode \"always\" is not one of"),
            ("postgresql://me:secret@db.local/s?application_name=x", "query option \"application_name\" is not supported"),
        ]
        for (text, expected) in cases {
            do {
                _ = try StorageLocation(parsing: text)
                Issue.record("\(text) should be refused")
            } catch let error as StorageError {
                #expect(error.kind == .invalidURL)
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("secret"))
                #expect(error.hint != nil)
            }
        }
    }
}
