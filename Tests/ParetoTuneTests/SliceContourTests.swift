import Foundation
import Testing
import ParetoCore
@testable import ParetoTune

@Suite("slice and contour data")
struct SliceContourTests {
    /// Four trials by hand: (x, k, depth) → value; trial 2 pruned, trial 3
    /// has no depth (conditional), so it drops out of depth's slice and pairs.
    func study() throws -> Study {
        let study = try Study(name: "plots", direction: .minimize, storage: InMemoryStorage(), sampler: RandomSampler(seed: 1))
        try study.enqueue(["x": 0.5, "k": "a", "depth": 3])
        try study.enqueue(["x": 2.0, "k": "b", "depth": 5])
        try study.enqueue(["x": 1.0, "k": "a", "depth": 4])
        try study.enqueue(["x": 4.0, "k": "b"])
        try study.optimize(nTrials: 4) { trial in
            let x = try trial.suggestFloat("x", 0.1...10, log: true)
            let k = try trial.suggestCategorical("k", ["a", "b"])
            if trial.number == 2 { _ = try trial.suggestInt("depth", 1...8); throw TrialPruned() }
            if trial.number < 3 { _ = try trial.suggestInt("depth", 1...8) }
            return x + (k == "b" ? 10 : 0)
        }
        return study
    }

    @Test("slices: per parameter the complete trials' (value, objective), by hand")
    func slices() throws {
        let slices = StudyPlots.slices(try study().trials)
        let names: [String] = slices.map(\.parameter)
        #expect(names == ["depth", "k", "x"])
        let depth: [StudyPlots.SlicePoint] = slices[0].points
        #expect(depth.map(\.trial) == [0, 1])
        #expect(depth.map(\.value.text) == ["3", "5"])
        #expect(depth.map(\.objective) == [0.5, 12])
        #expect(slices[1].categorical && !slices[1].log)
        #expect(slices[1].points.map(\.value.text) == ["\"a\"", "\"b\"", "\"b\""])
        #expect(slices[2].log && !slices[2].categorical)
        #expect(slices[2].points.map(\.objective) == [0.5, 12, 14])
        #expect(slices[2].points.map(\.trial) == [0, 1, 3])
    }

    @Test("contours: every pair in name order, only trials having both, by hand")
    func contours() throws {
        let contours = StudyPlots.contours(try study().trials)
        let pairs: [String] = contours.map { $0.x + "/" + $0.y }
        #expect(pairs == ["depth/k", "depth/x", "k/x"])
        #expect(contours[1].points.map(\.trial) == [0, 1])
        #expect(contours[1].points.map(\.x.text) == ["3", "5"])
        #expect(contours[1].points.map(\.y.text) == ["0.5", "2"])
        #expect(contours[2].points.count == 3)
        #expect(contours[2].points.last == StudyPlots.ContourPoint(trial: 3, x: JSONText(raw: "\"b\""), y: JSONText(raw: "4"), objective: 14))
    }

    @Test("the analysis JSON carries history, slices and contours with user values")
    func analysisJSON() throws {
        let text = StudyPlots.json(try study().trials, directions: [.minimize])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["best_trials"] as? [Int] == [0])
        // Three complete trials; the pruned one reported nothing, so it never looked.
        #expect(object["validation_trials"] as? Int == 3)
        let history = try #require(object["history"] as? [[String: Any]])
        #expect(history.map { $0["best_so_far"] as? Double } == [0.5, 0.5, 0.5])
        let slices = try #require(object["slices"] as? [[String: Any]])
        let k = try #require(slices.first { $0["parameter"] as? String == "k" })
        let points = try #require(k["points"] as? [[String: Any]])
        #expect(points.map { $0["value"] as? String } == ["a", "b", "b"])
        let contours = try #require(object["contours"] as? [[String: Any]])
        #expect(contours.count == 3)
    }
}
