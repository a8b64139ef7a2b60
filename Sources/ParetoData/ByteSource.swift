import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the CSV reader gets its bytes: a file read in large blocks, or
/// bytes already in memory.
protocol ByteSource {
    /// Total size in bytes when known (for progress and capacity estimates).
    var size: Int? { get }
    /// Reads up to `buffer.count` bytes; returns 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A file read front to back in large blocks with `pread(2)`.
final class FileByteSource: ByteSource {
    let path: String
    private let descriptor: Int32
    let size: Int?

    init(path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT {
                throw CSVError(.fileNotFound, "no such file", at: InputLocation(file: path),
                               hint: "check the path; it is relative to \(FileByteSource.currentDirectory())")
            }
            throw CSVError(.unreadable, "cannot read the file: \(String(cString: strerror(code)))",
                           at: InputLocation(file: path))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CSVError(.unreadable, "this is a directory, not a CSV file", at: InputLocation(file: path))
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CSVError(.unreadable, "cannot open the file: \(String(cString: strerror(errno)))",
                           at: InputLocation(file: path), hint: "check the file's permissions")
        }
        descriptor = fd
        size = (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
    }

    deinit { close(descriptor) }

    /// The file offset of the next byte to read.
    private var position: Int64 = 0

    /// Fills `buffer` from the current position. Large reads are split into
    /// one `pread` per processor, so copying from the page cache runs on
    /// both cores instead of leaving one idle.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard size != nil else { return try readSequentially(into: buffer) }
        let parts = buffer.count >= 1 << 22 ? Parallel.activeProcessorCount : 1
        let ranges = Parallel.chunks(of: 0..<buffer.count, parts: parts)
        let base = UnsafeSendableRawPointer(buffer.baseAddress!)
        let start = position
        let fd = descriptor
        let counts = Parallel.map(count: ranges.count) { k -> Result<Int, CSVError> in
            let range = ranges[k]
            var total = 0
            while total < range.count {
                let n = systemPread(fd, base.pointer + range.lowerBound + total, range.count - total,
                                    start + Int64(range.lowerBound + total))
                if n < 0 {
                    if errno == EINTR { continue }
                    return .failure(CSVError(.unreadable, "reading failed: \(String(cString: strerror(errno)))",
                                             at: nil))
                }
                if n == 0 { break }
                total += n
            }
            return .success(total)
        }
        var total = 0
        for (k, result) in counts.enumerated() {
            let n: Int
            switch result {
            case .success(let count): n = count
            case .failure(let error):
                throw CSVError(error.reason, error.message, at: InputLocation(file: path))
            }
            total += n
            if n < ranges[k].count { break }  // the end of the file is in this part
        }
        position += Int64(total)
        return total
    }

    /// Pipes and devices (`/dev/stdin`, a FIFO) cannot `pread`: plain `read(2)`.
    private func readSequentially(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            #if canImport(Glibc)
            let n = Glibc.read(descriptor, buffer.baseAddress! + total, buffer.count - total)
            #else
            let n = Darwin.read(descriptor, buffer.baseAddress! + total, buffer.count - total)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw CSVError(.unreadable, "reading failed: \(String(cString: strerror(errno)))",
                               at: InputLocation(file: path))
            }
            if n == 0 { break }
            total += n
        }
        return total
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "the current directory" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Bytes already in memory.
struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var size: Int? { bytes.count }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: n)
            }
        }
        position += n
        return n
    }
}

@inline(__always)
private func systemPread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: Int64) -> Int {
    #if canImport(Glibc)
    return Glibc.pread(fd, buffer, count, off_t(offset))
    #else
    return Darwin.pread(fd, buffer, count, off_t(offset))
    #endif
}

/// A raw pointer that may cross into a parallel loop; workers write disjoint ranges.
struct UnsafeSendableRawPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
