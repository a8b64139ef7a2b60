#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pareto's versioned file format for trained models.
///
/// A file is one header line of JSON — format name, format version, the
/// kind of model, the byte count and a 64-bit FNV-1a checksum of the body —
/// followed by the model itself as JSON. Reading checks each in turn, so a
/// truncated, corrupted, foreign or future-version file is a clear error,
/// never a half-loaded model. Writing goes through a temporary file and a
/// rename. Numbers are written in their shortest exact form, so a model
/// loads bit for bit as it was saved.
public enum ModelFile {
    /// The format version this build writes and the newest it reads.
    public static let version = 1
    private static let formatName = "pareto-model"

    private struct Header: Codable {
        var format: String
        var version: Int
        var kind: String
        var bytes: Int
        var checksum: String
    }

    /// Encodes `model` and writes it to `path` as a model of `kind`.
    ///
    /// - Throws: `FileError` when the file cannot be written.
    public static func write<Model: Encodable>(_ model: Model, kind: String, to path: String) throws {
        try writeFileAtomically(try encoded(model, kind: kind), to: path)
    }

    /// The bytes `write` would put in the file (header line and body): the
    /// model's size on disk, without touching the disk.
    public static func encoded<Model: Encodable>(_ model: Model, kind: String) throws -> [UInt8] {
        let body = try encoder().encode(model)
        let header = Header(format: formatName, version: version, kind: kind, bytes: body.count,
                            checksum: checksum(body))
        var bytes = Array(try encoder().encode(header))
        bytes.append(0x0A)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Reads a model of `kind` from `path`.
    ///
    /// - Throws: `FileError` naming what is wrong: a missing file, not a
    ///   Pareto model, another kind of model, a newer format version, a
    ///   truncated or corrupted body.
    public static func read<Model: Decodable>(_ type: Model.Type, kind: String, from path: String) throws -> Model {
        let bytes = try readFile(path)
        guard let newline = bytes.firstIndex(of: 0x0A),
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[..<newline])),
              header.format == formatName
        else {
            throw FileError(path: path, "this is not a Pareto model file", hint: "pass a file written by pareto train")
        }
        guard header.version <= version else {
            throw FileError(path: path, "this model was written in format version \(header.version); this Pareto reads "
                            + "versions up to \(version)", hint: "upgrade Pareto to load it")
        }
        guard header.kind == kind else {
            throw FileError(path: path, "this file holds a \(header.kind) model, not a \(kind) model")
        }
        let body = Data(bytes[(newline + 1)...])
        guard body.count >= header.bytes else {
            throw FileError(path: path, "the model file is truncated: \(body.count) of \(header.bytes) bytes",
                            hint: "copy or save the model again")
        }
        guard body.count == header.bytes, checksum(body) == header.checksum else {
            throw FileError(path: path, "the model file is corrupted (its checksum does not match)",
                            hint: "copy or save the model again")
        }
        do {
            return try decoder().decode(Model.self, from: body)
        } catch {
            throw FileError(path: path, "the model does not match this version of Pareto: \(error)")
        }
    }

    /// The kind of model stored at `path`, read from the header alone (the
    /// body is not checked): lets a caller pick the type to load.
    ///
    /// - Throws: `FileError` for a missing file or one that is not a
    ///   Pareto model file.
    public static func kind(at path: String) throws -> String {
        let bytes = try readFile(path, limit: 4096)
        guard let newline = bytes.firstIndex(of: 0x0A),
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[..<newline])),
              header.format == formatName
        else {
            throw FileError(path: path, "this is not a Pareto model file", hint: "pass a file written by pareto train")
        }
        return header.kind
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    private static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// FNV-1a, 64 bits, as 16 hex digits.
    static func checksum(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func readFile(_ path: String, limit: Int = .max) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw FileError(path: path, errno == ENOENT ? "no such file" : "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&block, 1, block.count, file)
            if n > 0 { bytes.append(contentsOf: block[..<n]) }
            if n < block.count || bytes.count >= limit { break }
        }
        return bytes
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`: readers see the old file or the new one, never a part.
///
/// - Throws: `FileError` naming the path and the system's reason.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else {
        throw FileError(path: path, "cannot create the file: \(String(cString: strerror(errno)))",
                        hint: "check that the folder exists and is writable")
    }
    var failure = bytes.withUnsafeBytes { writeFully(fd, $0) }
    if failure == 0 && fsync(fd) != 0 { failure = errno }
    close(fd)
    if failure == 0 && rename(temporary, path) != 0 { failure = errno }
    if failure != 0 {
        unlink(temporary)
        throw FileError(path: path, "writing failed: \(String(cString: strerror(failure)))",
                        hint: "check free disk space and permissions")
    }
}
