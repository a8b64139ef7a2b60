import Foundation
import ParetoCore
import ParetoData
import ParetoTrees
import Testing
@testable import ParetoDeploy

/// LightGBM models saved by `Fixtures/make_lightgbm_fixtures.py` must
/// predict, once imported, what LightGBM predicted for the same rows —
/// missing values, an unseen category and NaN-as-zero splits included.
@Suite struct LightGBMImportTests {
    static func fixture(_ name: String, _ ext: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
        return url.path
    }

    @Test(arguments: ["binary", "regression", "multiclass", "poisson"])
    func predictsWhatLightGBMPredicted(_ name: String) throws {
        let text = try String(contentsOfFile: try Self.fixture(name, "txt"), encoding: .utf8)
        let imported = try LightGBMModel(text: text, path: "\(name).txt")
        #expect(imported.featureKinds == [.numeric, .numeric, .numeric, .numeric, .categorical])
        let model = try imported.tabularModel(target: "y")
        var options = CSVOptions()
        options.columnKinds["c"] = .categorical
        let rows = try CSVReader(options: options).read(path: try Self.fixture(name, "csv"))
        let predictions = try model.predict(rows, threads: 1)
        let outputs = model.task == .regression ? 1 : (model.task == .binary ? 1 : model.classLabels.count)
        var largest = 0.0
        for k in 0..<outputs {
            let expected = try #require(rows["pred_\(k)"]?.numeric?.values.array)
            for (row, want) in expected.enumerated() {
                // Binary: Pareto gives both classes; LightGBM the positive one.
                let got = model.task == .binary ? predictions.values[row][1] : predictions.values[row][k]
                largest = max(largest, abs(got - want) / max(1, abs(want)))
            }
        }
        #expect(largest < 1e-12, "\(name): largest relative difference \(largest)")

        // Raw scores through the binned path as well.
        let binned = try model.binned(try rows.selecting(model.model.featureNames))
        let raw = model.model.rawScores(binned)
        for k in 0..<model.model.outputCount {
            let expected = try #require(rows["raw_\(k)"]?.numeric?.values.array)
            for (row, want) in expected.enumerated() {
                #expect(abs(raw[row * model.model.outputCount + k] - want) < 1e-12 * max(1, abs(want)))
            }
        }
    }

    @Test func malformedOrUnsupportedFilesAreClearErrors() throws {
        let text = try String(contentsOfFile: try Self.fixture("binary", "txt"), encoding: .utf8)
        func message(_ text: String) -> String {
            do {
                _ = try LightGBMModel(text: text, path: "m.txt")
                return ""
            } catch let error as FileError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        #expect(message("hello\nworld\n").contains("key=value"))
        #expect(message("version=v4\nobjective=binary sigmoid:1\n").contains("not a LightGBM text model"))
        let lambdarank = text.replacingOccurrences(of: "objective=binary sigmoid:1", with: "objective=lambdarank")
        #expect(message(lambdarank).contains("objective \"lambdarank\" is not supported"))
        // Cut in the middle of the second tree: its arrays are incomplete.
        let cut = String(text[..<text.range(of: "Tree=1")!.upperBound]) + "\nnum_leaves=15\nleaf_value=1 2\n"
        #expect(message(cut).contains("leaf_value has 2 values, expected 15"))
        // A child pointing back at the root would loop forever: refused.
        let loop = text.replacingOccurrences(of: "left_child=5 2 4 8 7 -1 10 -2 9 -3 11 12 -5 -7",
                                             with: "left_child=5 2 4 8 7 0 10 -2 9 -3 11 12 -5 -7")
        #expect(loop != text)
        #expect(message(loop).contains("reached twice") || message(loop).contains("not reachable"))
        let linear = text.replacingOccurrences(of: "is_linear=0", with: "is_linear=1")
        #expect(message(linear).contains("linear tree"))
    }
}
