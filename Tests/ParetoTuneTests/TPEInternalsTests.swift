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

@Suite struct ObservationColumnsTests {
    /// TPE's observation lists read from the study's columns equal those read
    /// from the trial records: conditional parameters, a name whose
    /// distribution changed, and a running trial (not in the columns) included.
    @Test func columnsGiveTheSameObservationsAsTheRecords() throws {
        let wide = ParameterDistribution.float(try FloatDistribution(low: 0, high: 10))
        let narrow = ParameterDistribution.float(try FloatDistribution(low: 0, high: 1))
        let k = ParameterDistribution.int(try IntDistribution(low: 1, high: 9))
        var trials: [TrialRecord] = []
        var columns = ObservationColumns()
        for i in 0..<12 {
            var record = TrialRecord(number: i, state: i == 10 ? .running : (i == 7 ? .pruned : .complete))
            record.parameters["x"] = TrialParameter(distribution: i % 4 == 3 ? narrow : wide, internalValue: Double(i) / 20)
            if i % 3 != 0 { record.parameters["k"] = TrialParameter(distribution: k, internalValue: Double(1 + i % 9)) }
            record.values = record.state == .complete ? [Double(i)] : nil
            trials.append(record)
            if record.state.isFinished { columns.add(record) }
        }
        let indices = Array(0..<12)
        for (names, distributions) in [(["x"], [wide]), (["x"], [narrow]), (["k", "x"], [k, wide]), (["k"], [k])] {
            let fromRecords = TPESampler.observations(trials, nil, indices, names, distributions)
            let fromColumns = TPESampler.observations(trials, columns, indices, names, distributions)
            #expect(fromColumns == fromRecords, "\(names)")
        }
        // By hand: x has the wide distribution in every trial but 3, 7 and 11: 9 values, running trial 10 among them.
        #expect(TPESampler.observations(trials, columns, indices, ["x"], [wide])[0]
                == [0, 1, 2, 4, 5, 6, 8, 9, 10].map { Double($0) / 20 })
    }
}
