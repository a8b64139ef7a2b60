import Foundation
import Testing
@testable import ParetoTune

@Suite struct ExponentialTests {
    /// The polynomial exponential TPE sums its mixture with, against glibc's
    /// `exp` over the whole range it is used on (x ≤ 0, down to −708).
    @Test func agreesWithLibmToTwoUlps() {
        var worst = 0.0
        var x = 0.0
        while x >= -708 {
            let want = exp(x), got = exponentialOfNonPositive(x)
            worst = max(worst, abs(got - want) / want)
            x -= 0.013_7
        }
        for edge in [0.0, -1e-300, -0.5 * log(2.0), -log(2.0), -1, -37, -707.9] {
            worst = max(worst, abs(exponentialOfNonPositive(edge) - exp(edge)) / exp(edge))
        }
        #expect(worst < 4.5e-16, "worst relative error \(worst)")
        // Below the clamp every term counts as e⁻⁷⁰⁸: positive and negligible.
        #expect(exponentialOfNonPositive(-1e6) == exp(-708.0) || abs(exponentialOfNonPositive(-1e6) / exp(-708.0) - 1) < 1e-15)
    }

    /// The four-lane sum equals the sum of libm exponentials for counts that
    /// are and are not multiples of four.
    @Test func sumOfExponentialsMatchesAPlainSum() {
        for count in [1, 3, 4, 7, 33] {
            var terms = (0..<count).map { -Double($0) * 0.37 + 0.1 }
            let top = 0.1
            let want = terms.reduce(0.0) { $0 + exp($1 - top) }
            let got = terms.withUnsafeMutableBufferPointer { sumOfExponentials($0.baseAddress!, count, minus: top) }
            #expect(abs(got - want) <= 1e-15 * want, "count \(count): \(got) vs \(want)")
        }
    }
}
