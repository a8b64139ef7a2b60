import Foundation
import Testing

@Suite("pareto tune and pareto study")
struct TuneCommandTests {
    let cli = DescribeCommandTests()

    /// 240 rows: y depends on x1 and the category, x2 is noise. Deterministic.
    func dataset() throws -> String {
        var text = "x1,x2,c,y\n"
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for i in 0..<240 {
            let x1 = next(), x2 = next(), c = ["a", "b", "c"][i % 3]
            let y = x1 + (c == "a" ? 0.3 : 0) + 0.3 * next() > 0.8 ? "yes" : "no"
            text += "\(x1),\(x2),\(c),\(y)\n"
        }
        return try cli.file("tune.csv", text)
    }

    /// A small gbdt space so that a trial takes well under a second.
    func smallSpace(near data: String) throws -> String {
        let path = (data as NSString).deletingLastPathComponent + "/space.json"
        try """
            {"parameters": [
              {"name": "trees", "type": "int", "low": 5, "high": 15},
              {"name": "num_leaves", "type": "int", "low": 4, "high": 8},
              {"name": "learning_rate", "type": "float", "low": 0.05, "high": 0.3, "log": true},
              {"name": "min_data_in_leaf", "type": "int", "low": 5, "high": 20}
            ]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test("tune --json records every trial in the SQLite storage; study list, show and export read it back")
    func tuneThenReadTheStudy() throws {
        let data = try dataset()
        let space = try smallSpace(near: data)
        let storage = "sqlite:///" + (data as NSString).deletingLastPathComponent + "/s.sqlite"  // absolute: sqlite:////tmp/…
        let tuned = try cli.run(["tune", data, "--target", "y", "--space", space, "--trials", "4", "--folds", "3",
                                 "--sampler", "random", "--storage", storage, "--study", "small", "--seed", "3",
                                 "--report-every", "0", "--json"])
        #expect(tuned.status == 0, "\(tuned.stderr)")
        let summary = try #require(try json(tuned.stdout) as? [String: Any])
        #expect(summary["trials"] as? Int == 4)
        #expect(summary["metric"] as? String == "auc")
        #expect(summary["direction"] as? String == "maximize")
        let best = try #require(summary["best"] as? [String: Any])
        let bestValue = try #require((best["values"] as? [Double])?.first)
        #expect(bestValue > 0.7 && bestValue <= 1, "the signal in x1 is strong: \(bestValue)")
        let parameters = try #require(best["params"] as? [String: Any])
        let trees = try #require(parameters["trees"] as? Int)
        #expect((5...15).contains(trees))

        let list = try cli.run(["study", "list", "--storage", storage, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let studies = try #require(try json(list.stdout) as? [[String: Any]])
        #expect(studies.count == 1)
        #expect(studies.first?["study"] as? String == "small")
        #expect(studies.first?["trials"] as? Int == 4)

        let show = try cli.run(["study", "show", "--storage", storage, "--study", "small", "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let shown = try #require(try json(show.stdout) as? [String: Any])
        let trials = try #require(shown["trials"] as? [[String: Any]])
        let numbers: [Int] = trials.compactMap { $0["number"] as? Int }
        #expect(numbers == [0, 1, 2, 3])
        // The best trial is the one with the highest value.
        let values: [Double] = trials.compactMap { ($0["values"] as? [Double])?.first }
        #expect(values.max() == bestValue)
        #expect(shown["best_trials"] as? [Int] == [best["number"] as? Int ?? -1])

        // With the median pruner (the default) and --report-every 0 every complete trial
        // reports the running mean after each fold; the last report is its value.
        let export = try cli.run(["study", "export", "--storage", storage, "--study", "small"])
        #expect(export.status == 0, "\(export.stderr)")
        let exported = try #require(try json(export.stdout) as? [[String: Any]])
        for trial in exported where trial["state"] as? String == "complete" {
            let steps = try #require(trial["intermediate_values"] as? [String: Any])
            #expect(steps.count == 3)
            let last = (steps["2"] as? [Double])?.first ?? (steps["2"] as? Double)
            #expect(last == (trial["values"] as? [Double])?.first)
        }
        let csvPath = (data as NSString).deletingLastPathComponent + "/trials.csv"
        let csv = try cli.run(["study", "export", "--storage", storage, "--study", "small", "--format", "csv", "--output", csvPath])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
    }

    @Test("two tune processes with one --storage and --study share the study: numbers 0…5, all complete")
    func twoWorkersCooperate() throws {
        let data = try dataset()
        let space = try smallSpace(near: data)
        let storage = "sqlite:///" + (data as NSString).deletingLastPathComponent + "/shared.sqlite"
        let binary = try #require(DescribeCommandTests.executable)
        let workers = try (0..<2).map { seed -> Process in
            let process = Process()
            process.executableURL = binary
            process.arguments = ["tune", data, "--target", "y", "--space", space, "--trials", "3", "--folds", "2",
                                 "--pruner", "none", "--storage", storage, "--study", "team", "--seed", String(seed), "--json"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for worker in workers { worker.waitUntilExit() }
        #expect(workers.map(\.terminationStatus) == [0, 0])
        let show = try cli.run(["study", "show", "--storage", storage, "--study", "team", "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let trials = try #require((try json(show.stdout) as? [String: Any])?["trials"] as? [[String: Any]])
        let numbers: [Int] = trials.compactMap { $0["number"] as? Int }
        #expect(numbers == Array(0..<6))
        #expect(trials.allSatisfy { $0["state"] as? String == "complete" })
    }

    @Test("logistic regression tunes c and l1_ratio")
    func logistic() throws {
        let data = try dataset()
        let storage = "sqlite:///" + (data as NSString).deletingLastPathComponent + "/l.sqlite"
        let result = try cli.run(["tune", data, "--target", "y", "--model", "logistic", "--trials", "2", "--folds", "2",
                                  "--storage", storage, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try json(result.stdout) as? [String: Any])
        #expect(summary["study"] as? String == "tune-logistic")  // FILE's name and the model
        let parameters = try #require((summary["best"] as? [String: Any])?["params"] as? [String: Any])
        #expect(Set(parameters.keys) == ["c", "l1_ratio"])
    }

    @Test("bad input exits 1 with a message naming the problem")
    func badInput() throws {
        let data = try dataset()
        let directory = (data as NSString).deletingLastPathComponent
        let storage = "sqlite:///" + directory + "/e.sqlite"
        let badURL = try cli.run(["tune", data, "--target", "y", "--storage", "mysql://x@h/db", "--trials", "1"])
        #expect(badURL.status == 1)
        #expect(badURL.stderr.contains("unknown scheme"))
        let unreachable = try cli.run(["study", "list", "--storage", "postgresql://nobody@127.0.0.1:1/studies"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot connect to PostgreSQL at postgresql://nobody@127.0.0.1:1/studies"))
        let missing = try cli.run(["study", "show", "--storage", storage, "--study", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no study named \"nope\""))
        let model = try cli.run(["tune", data, "--target", "y", "--model", "svm", "--storage", storage])
        #expect(model.status == 1)
        #expect(model.stderr.contains("unknown model family \"svm\""))
        let spacePath = directory + "/bad-space.json"
        try #"{"parameters": [{"name": "gamma", "type": "float", "low": 0, "high": 1}]}"#
            .write(toFile: spacePath, atomically: true, encoding: .utf8)
        let space = try cli.run(["tune", data, "--target", "y", "--space", spacePath, "--storage", storage])
        #expect(space.status == 1)
        #expect(space.stderr.contains("gbdt has no parameter \"gamma\""))
        let sampler = try cli.run(["tune", data, "--target", "y", "--sampler", "bohb", "--storage", storage])
        #expect(sampler.status == 1)
        #expect(sampler.stderr.contains("unknown sampler"))
    }
}
