import Foundation
import Testing
@testable import ParetoTrees
import ParetoData
import ParetoCore

@Suite("Model files")
struct ModelFileTests {
    func trained() throws -> (TabularTreeModel, DataFrame) {
        var rng = Xoshiro256(seed: 12)
        let n = 600
        let x = (0..<n).map { _ in rng.uniformDouble() }
        let color = (0..<n).map { _ in ["red", "green", "blue"][rng.uniformInt(below: 3)] as String? }
        let y = (0..<n).map { i in (x[i] > 0.5 || color[i] == "red") ? "yes" as String? : "no" }
        let frame = try DataFrame([.numeric("x", x), .categorical("color", color), .categorical("buy", y)])
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 20
        return (try TabularTreeModel.train(frame, target: "buy", learner: learner).model, frame)
    }

    func path(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pareto-model-\(UUID().uuidString)-\(name)").path
    }

    @Test("predicting many rows through the compiled ensemble equals walking the binned trees, bit for bit",
          arguments: [TaskKind.binary, .multiclass, .regression])
    func compiledEqualsBinned(task: TaskKind) throws {
        var rng = Xoshiro256(seed: 31)
        let n = 3_000  // above the compiled-prediction threshold
        let x = (0..<n).map { _ in rng.uniformInt(below: 10) == 0 ? Double.nan : rng.uniformDouble() * 4 }
        let flag: [Bool?] = (0..<n).map { _ in rng.uniformInt(below: 9) == 0 ? nil : (rng.uniformInt(below: 2) == 0) }
        let color = (0..<n).map { _ in rng.uniformInt(below: 12) == 0 ? nil : ["red", "green", "blue", "grey"][rng.uniformInt(below: 4)] as String? }
        let y: [Double] = (0..<n).map { i in
            let base = (x[i].isNaN ? 2 : x[i]) + (color[i] == "red" ? 1.5 : 0) + (flag[i] == true ? 0.7 : 0)
            switch task {
            case .binary: return base > 2.5 ? 1 : 0
            case .multiclass: return Double(min(3, Int(base)))
            case .regression: return base + rng.uniformDouble()
            }
        }
        let frame = try DataFrame([.numeric("x", x), .boolean("flag", flag), .categorical("color", color), .numeric("y", y)])
        var learner = GradientBoosting(objective: .binary)
        learner.numTrees = 15
        let model = try TabularTreeModel.train(frame, target: "y", task: task, learner: learner).model
        // Unseen and reordered categories at prediction time.
        var shuffledColor = color
        for i in stride(from: 0, to: n, by: 50) { shuffledColor[i] = "purple" }
        let test = try DataFrame([.categorical("color", shuffledColor), .numeric("x", x), .boolean("flag", flag)])
        #expect(test.rowCount >= TabularTreeModel.compiledPredictionRows)
        let compiled = try model.predict(test).values.flatMap { task == .binary ? [$0[1]] : $0 }
        let walked = model.model.predict(try model.binned(test))
        #expect(compiled == walked)
        let few = try model.predict(test.rows(0..<100)).values.flatMap { task == .binary ? [$0[1]] : $0 }
        #expect(few == Array(walked[0..<(100 * model.model.outputCount)]))
    }

    @Test("save then load gives the identical model and predictions")
    func roundTrip() throws {
        let (model, frame) = try trained()
        #expect(model.classLabels == ["no", "yes"], "sorted labels: the second is the positive class")
        let file = path("m")
        try model.save(to: file)
        let loaded = try TabularTreeModel.load(from: file)
        #expect(loaded == model)
        #expect(try loaded.predict(frame) == model.predict(frame))
        let p = try model.predict(frame).values
        let accuracy = zip(p, 0..<frame.rowCount).filter { probabilities, row in
            (probabilities[1] > 0.5) == (frame["buy"]?.formattedValue(row) == "yes")
        }.count
        #expect(accuracy > 580)
    }

    func loadError(_ bytes: [UInt8]) -> String? {
        let file = path("bad")
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else { return "could not write \(file)" }
        do {
            _ = try TabularTreeModel.load(from: file)
            return nil
        } catch let error as FileError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("truncated, corrupted, future-version, foreign and missing files are clear errors")
    func badFiles() throws {
        let (model, _) = try trained()
        let file = path("good")
        try model.save(to: file)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(loadError(Array(bytes.dropLast(100)))?.contains("truncated") == true)
        var flipped = bytes
        flipped[bytes.count - 50] ^= 0x01
        #expect(loadError(flipped)?.contains("corrupted") == true)
        let text = String(decoding: bytes, as: UTF8.self)
        let future = text.replacingOccurrences(of: "\"version\":1", with: "\"version\":2")
        #expect(loadError(Array(future.utf8))?.contains("format version 2") == true)
        let otherKind = text.replacingOccurrences(of: "\"kind\":\"gradient-boosted-trees\"", with: "\"kind\":\"mlp\"")
        #expect(loadError(Array(otherKind.utf8))?.contains("mlp model") == true)
        #expect(loadError(Array("a,b\n1,2\n".utf8))?.contains("not a Pareto model") == true)
        #expect(throws: FileError.self) { try TabularTreeModel.load(from: "/nonexistent/model") }
    }

    @Test("a structurally broken model is refused even when its checksum matches")
    func inconsistentModel() throws {
        var (model, _) = try trained()
        var tree = model.model.trees[0]
        tree.leftChild[0] = 999
        let m = model.model
        model.model = GradientBoostedTrees(objective: m.objective, outputCount: m.outputCount,
                                           initialScores: m.initialScores, trees: [tree] + m.trees.dropFirst(),
                                           bestIteration: nil, validationHistory: [], validationMetric: nil,
                                           binning: m.binning, featureNames: m.featureNames)
        let file = path("broken")
        try ModelFile.write(model, kind: TabularTreeModel.fileKind, to: file)
        #expect(throws: FileError.self) { try TabularTreeModel.load(from: file) }
    }

    @Test("prediction needs the training columns")
    func missingColumn() throws {
        let (model, frame) = try trained()
        #expect(throws: UsageError.self) { try model.predict(try frame.dropping(["color"])) }
    }
}
