internal import CParetoKernels

/// The instruction-set level Pareto's dense kernels (`GEMM`, `HalfPrecision`)
/// run on: chosen once per process, the best this CPU supports.
///
/// The kernels are C (target `CParetoKernels`), each compiled for every level
/// with function-level target attributes, so any build (debug, release, or a
/// package depending on Pareto) runs host-tuned code without compiler flags.
/// Set the environment variable `PARETO_ISA` to `portable` or `avx2` to cap the
/// level (it can never raise it). See docs/ARCHITECTURE.md, "Host-tuned code".
public enum KernelLevel: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Plain C vectorized for the baseline target: SSE2 on x86-64, NEON on arm64.
    case portable = 0
    /// x86-64 with AVX2, FMA and F16C (Haswell, Zen 1 and later).
    case avx2 = 1
    /// x86-64 with AVX-512 F (Skylake-SP, Ice Lake, Zen 4 and later).
    case avx512 = 2

    /// The level used when none is given: the best the CPU and operating
    /// system support, capped by `PARETO_ISA`.
    public static let detected = KernelLevel(rawValue: Int(pareto_isa_detected())) ?? .portable

    /// The levels this machine can run, lowest first (what tests iterate over).
    public static var supported: [KernelLevel] { allCases.filter { $0.rawValue <= detected.rawValue } }

    /// "portable", "avx2" or "avx512".
    public var description: String { String(cString: pareto_isa_name(Int32(rawValue))) }
}
