import Foundation
import Testing
@testable import ParetoTune

@Suite struct AnalysisTests {
    @Test func paretoFrontOfAKnownSet() throws {
        // Minimize both: the front is (1, 5), (2, 2), (5, 1); (3, 3) and (4, 4) are
        // dominated by (2, 2); (2, 2) appears twice and both copies are on the front.
        let values: [[Double]] = [[3, 3], [1, 5], [2, 2], [4, 4], [5, 1], [2, 2]]
        var trials: [TrialRecord] = []
        for (i, v) in values.enumerated() { trials.append(TrialRecord(number: i, state: .complete, values: v)) }
        trials.append(TrialRecord(number: 6, state: .failed))
        let front: [Int] = Study.bestTrials(trials, [.minimize, .minimize]).map(\.number)
        #expect(front == [1, 2, 4, 5])
        // Maximizing the second objective changes the front: (1, 5) dominates all but (5, 1)… and (4, 4)?
        // (1, 5) vs (4, 4): better in the first (1 < 4) and in the second (5 > 4): dominates.
        let mixed: [Int] = Study.bestTrials(trials, [.minimize, .maximize]).map(\.number)
        #expect(mixed == [1])
    }

    @Test func historyAndBestTrial() throws {
        let study = try Study(direction: .maximize, sampler: RandomSampler())
        let scripted: [Double] = [1, 3, 2, 5, 4]
        try study.optimize(nTrials: 6) { trial in
            if trial.number == 2 { throw TrialPruned() }
            return scripted[min(trial.number, 4)]
        }
        let history = try study.history
        let numbers: [Int] = history.map(\.number)
        let best: [Double] = history.map(\.bestSoFar)
        #expect(numbers == [0, 1, 3, 4, 5])
        #expect(best == [1, 3, 5, 5, 5])
        #expect((try study.bestTrial)?.number == 3)
        #expect((try study.bestTrials).map(\.number) == [3])
    }

    @Test func csvAndJSONExports() throws {
        let study = try Study(directions: [.minimize, .maximize], sampler: RandomSampler(seed: 1))
        try study.enqueue(["x": 0.5, "mode": "a,b"])
        try study.enqueue(["mode": "c\"d"])
        try study.optimize(nTrials: 2, objectives: { trial in
            let x = try trial.suggestFloat("x", 0...1)
            let mode = try trial.suggestCategorical("mode", ["a,b", "c\"d"])
            if trial.number == 0 { try trial.setUserAttribute("note", ["k": 1]) }
            if mode == "c\"d" { _ = try trial.suggestInt("depth", 1...3) }
            return [x, 2]
        })
        let csv = TrialExport.csv((try study.trials))
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("number,state,value_0,value_1,params_depth,params_mode,params_x,user_attrs_fixed_params,user_attrs_note,started_at"))
        #expect(lines[1].hasPrefix("0,complete,0.5,2.0,,\"a,b\",0.5,"))
        #expect(lines[1].contains("\"{\"\"k\"\":1}\""))
        #expect(lines[1].contains("\"{\"\"mode\"\":\"\"a,b\"\",\"\"x\"\":0.5}\""))
        #expect(lines[2].hasPrefix("1,complete,"))
        #expect(lines[2].contains(",\"c\"\"d\","))
        #expect(lines.count == 4 && lines[3] == "")

        let json = TrialExport.json((try study.trials))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        #expect(parsed.count == 2)
        let params = parsed[0]["params"] as! [String: Any]
        #expect(params["mode"] as? String == "a,b")
        #expect(params["x"] as? Double == 0.5)
        #expect((parsed[0]["values"] as! [Double]) == [0.5, 2])
        #expect(((parsed[0]["user_attrs"] as! [String: Any])["note"] as! [String: Int]) == ["k": 1])
        #expect(parsed[1]["state"] as? String == "complete")

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pareto-tune-\(getpid()).csv").path
        try TrialExport.write(csv, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == csv)
        try? FileManager.default.removeItem(atPath: path)
    }
}

@Suite struct DominanceTests {
    @Test func nonDominatedSortAndCrowdingOnAKnownFront() {
        // Minimize both. Front 0: (0,4), (1,2), (2,1), (4,0); front 1: (2,3), (3,2); front 2: (4,4).
        let points: [[Double]] = [[2, 3], [0, 4], [4, 4], [1, 2], [3, 2], [2, 1], [4, 0]]
        #expect(Dominance.ranks(points) == [1, 0, 2, 0, 1, 0, 0])
        // Crowding on front 0 sorted by x: (0,4), (1,2), (2,1), (4,0); ranges 4 and 4.
        // (1,2): (2 − 0)/4 + (4 − 1)/4 = 1.25; (2,1): (4 − 1)/4 + (2 − 0)/4 = 1.25; ends: ∞.
        let front: [[Double]] = [[0, 4], [1, 2], [2, 1], [4, 0]]
        #expect(Dominance.crowdingDistances(front) == [.infinity, 1.25, 1.25, .infinity])
        // Uneven spacing: (0,4), (1,3), (3,1), (4,0): inner ones (3 − 0)/4 + (4 − 1)/4 = 1.5 each;
        // (0,4), (3,1), (3.5, 0.5), (4,0): (3.5 − 0)/4 + (4 − 0.5)/4 = 1.75; (4 − 3)/4 + (1 − 0)/4 = 0.5.
        let uneven: [[Double]] = [[0, 4], [3, 1], [3.5, 0.5], [4, 0]]
        #expect(Dominance.crowdingDistances(uneven) == [.infinity, 1.75, 0.5, .infinity])
        // The best 5: the whole first front, then the less crowded... both of front 1 have ∞
        // (two points): the lower index wins the tie.
        #expect(Dominance.best(points, count: 5) == [1, 3, 5, 6, 0])
        #expect(Dominance.dominates([1, 1], [1, 2]))
        #expect(!Dominance.dominates([1, 2], [1, 2]))
        #expect(Dominance.minimizing([1, 2], [.minimize, .maximize]) == [1, -2])
    }
}
