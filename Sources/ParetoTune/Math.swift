#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The natural logarithm, under a name no stored property `log` can shadow.
@inline(__always) func ln(_ x: Double) -> Double { log(x) }

/// log(exp(a) + exp(b)) without overflow.
@inline(__always) func logAddExp(_ a: Double, _ b: Double) -> Double {
    let m = max(a, b)
    if m == -.infinity { return -.infinity }
    return m + log1p(exp(-abs(a - b)))
}

/// The current wall-clock time in seconds since 1970 (what storages record).
func wallClock() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
