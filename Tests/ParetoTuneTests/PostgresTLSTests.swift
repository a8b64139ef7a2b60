import Foundation
import PostgresNIO
import Testing
@testable import ParetoTune
@testable import ParetoTunePostgres

/// A database on a TLS-enabled server: `PARETO_TEST_POSTGRES_TLS_URL`
/// (`…?sslmode=verify-full&sslrootcert=…`), its own database so these tests
/// can drop tables while the plain-TCP suite runs. `.ci/run` sets it.
private let tlsURL = ProcessInfo.processInfo.environment["PARETO_TEST_POSTGRES_TLS_URL"].flatMap { $0.isEmpty ? nil : $0 }

private let skipReason: Comment = "PARETO_TEST_POSTGRES_TLS_URL is not set: no TLS PostgreSQL server to test against (.ci/run starts one)"

/// Answers every PostgreSQL SSLRequest with "N" (no TLS), as a server with `ssl = off` does.
private final class RefusesTLS: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var reply = context.channel.allocator.buffer(capacity: 1)
        reply.writeString("N")
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}

@Suite(.serialized) struct PostgresTLSTests {
    @Test("sslmode and sslrootcert parse; bad values and options are named")
    func parsesTLSOptions() throws {
        let plain = try PostgresAddress(parsing: "postgresql://me@db:5432/studies")
        #expect(plain.tlsMode == .disable && plain.tlsRootCertificate == nil)
        #expect(plain.description == "postgresql://me@db:5432/studies")
        let required = try PostgresAddress(parsing: "postgresql://me:pw@db/studies?sslmode=require")
        #expect(required.tlsMode == .require)
        #expect(required.description == "postgresql://me@db:5432/studies?sslmode=require")
        let full = try PostgresAddress(parsing: "postgresql://me@db/studies?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(full.tlsMode == .verifyFull && full.tlsRootCertificate == "/etc/ca.pem")
        #expect(full.description == "postgresql://me@db:5432/studies?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        // A root certificate alone means: check it fully (libpq would only prefer TLS).
        #expect(try PostgresAddress(parsing: "postgresql://me@db/s?sslrootcert=/ca.pem").tlsMode == .verifyFull)
        #expect(try PostgresAddress(parsing: "postgresql://me@db/s?sslmode=verify-ca").tlsMode == .verifyCA)

        func message(_ url: String) -> String {
            do {
                _ = try PostgresAddress(parsing: url)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("postgresql://me@db/s?sslmode=maybe").contains("sslmode \"maybe\" is not one of disable, prefer, require, verify-ca, verify-full"))
        #expect(message("postgresql://me@db/s?connect_timeout=3").contains("query option \"connect_timeout\" is not supported"))
        #expect(message("postgresql://me@db/s?sslmode=disable&sslrootcert=/ca.pem").contains("a root certificate needs TLS"))
    }

    @Test("sslmode=require against a server without TLS fails with an error that says so")
    func requireAgainstAPlainServer() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RefusesTLS()) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let port = try #require(server.localAddress?.port)
        do {
            _ = try PostgresStorage(url: "postgresql://me@127.0.0.1:\(port)/db?sslmode=require", connectTimeout: 5)
            Issue.record("connected to a server that refuses TLS")
        } catch let error as StorageError {
            #expect(error.kind == .unreachable)
            #expect("\(error)".contains("does not accept TLS connections, and sslmode=require allows no other"), "\(error)")
        }
    }

    @Test("a root certificate file that cannot be read is named before any connection")
    func unreadableRootCertificate() throws {
        do {
            _ = try PostgresStorage(url: "postgresql://me@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            Issue.record("no error for a missing root certificate file")
        } catch let error as StorageError {
            #expect(error.kind == .invalidURL)
            #expect("\(error)".contains("cannot read the root certificate file /nonexistent/ca.pem"), "\(error)")
        }
    }

    /// The storage contract's cases over a verified TLS connection, after
    /// checking the server sees the session as encrypted.
    @Test(.enabled(if: tlsURL != nil, skipReason))
    func keepsTheStorageContractOverTLS() throws {
        let address = try PostgresAddress(parsing: tlsURL!)
        #expect(address.tlsMode != .disable, "the TLS test URL should carry sslmode")
        let connections = try PostgresConnections(address: address, connectTimeout: 10)
        let encrypted = try connections.read { db in
            try db.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [])
        }
        #expect(encrypted.first?.first == .int(1), "the server should see this session as TLS: pg_stat_ssl.ssl = \(encrypted)")
        func empty() throws -> PostgresStorage {
            try connections.write { db in
                _ = try db.query("""
                    DROP TABLE IF EXISTS trial_user_attrs, trial_intermediate_values, trial_values, trial_params, trials, \
                    studies, pareto_schema_version CASCADE
                    """, [])
            }
            return try PostgresStorage(address: address)
        }
        try checkStorageContract(makeStorage: { try empty() },
                                 reopen: { try PostgresStorage(address: ($0 as! PostgresStorage).address) })
    }
}
