#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `bytes` to the open file descriptor `fd`, retrying short
/// and interrupted writes.
///
/// Returns 0 on success, or the `errno` of the failure. The one place in
/// Pareto that calls `write(2)`: progress bars, error messages and file
/// writers all go through it.
@discardableResult
public func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    var written = 0
    while written < bytes.count {
        #if canImport(Glibc)
        let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
        #else
        let n = Darwin.write(fd, bytes.baseAddress! + written, bytes.count - written)
        #endif
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        written += n
    }
    return 0
}

/// Writes `text` to standard error, unbuffered.
public func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { writeFully(2, UnsafeRawBufferPointer($0)) }
}
