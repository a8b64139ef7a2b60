import Foundation
import ParetoCore
import ParetoData
import ParetoTrees
import Testing
@testable import ParetoDeploy

/// LightGBM models imported with `LightGBMModel`, scored one row at a time
/// through `CompiledEnsemble.rawScores(row:into:)`, must give the raw
/// scores LightGBM itself stored for the same rows (the fixtures of
/// `LightGBMImportTests`, made by `Fixtures/make_lightgbm_fixtures.py`:
/// missing values, an unseen category, NaN-as-zero splits), and the batch
/// path's scores bit for bit.
@Suite struct CompiledImportOneRowTests {
    @Test(arguments: ["binary", "regression", "multiclass", "poisson"])
    func oneRowScoresAreLightGBMs(_ name: String) throws {
        let text = try String(contentsOfFile: try LightGBMImportTests.fixture(name, "txt"), encoding: .utf8)
        let model = try LightGBMModel(text: text, path: "\(name).txt").tabularModel(target: "y")
        var options = CSVOptions()
        options.columnKinds["c"] = .categorical
        let frame = try CSVReader(options: options).read(path: try LightGBMImportTests.fixture(name, "csv"))
        let raw = try model.rawValues(frame)
        let compiled = CompiledEnsemble(model.model)
        let n = frame.rowCount, f = model.model.featureNames.count, k = model.model.outputCount
        let batch = raw.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: n, threads: 1) }
        var expected: [[Double]] = []
        for c in 0..<k { expected.append(try #require(frame["raw_\(c)"]?.numeric?.values.array)) }
        var scores = [Double](repeating: .nan, count: k)
        var largest = 0.0
        raw.withUnsafeBufferPointer { all in
            for row in 0..<n {
                let one = UnsafeBufferPointer(rebasing: all[(row * f)..<((row + 1) * f)])
                scores.withUnsafeMutableBufferPointer { compiled.rawScores(row: one, into: $0) }
                for c in 0..<k {
                    largest = max(largest, abs(scores[c] - expected[c][row]) / max(1, abs(expected[c][row])))
                    #expect(scores[c].bitPattern == batch[row * k + c].bitPattern, "\(name) row \(row) output \(c)")
                }
                if k == 1 { #expect(compiled.rawScore(row: one).bitPattern == batch[row].bitPattern) }
            }
        }
        #expect(largest < 1e-12, "\(name): largest relative difference from LightGBM \(largest)")
    }
}
