import Foundation
import Testing
import ParetoCore
@testable import ParetoData

/// The committed outputs of `Fixtures/make_resampling_fixtures.py`
/// (imbalanced-learn 0.14 and scikit-learn 1.9 on the same inputs).
enum ResamplingFixtures {
    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: fixturesURL.appendingPathComponent(name)))
    }

    /// Class counts imbalanced-learn left, or its refusal.
    enum Outcome: Decodable, Equatable {
        case counts([String: Int])
        case error

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self), text == "error" {
                self = .error
            } else {
                self = .counts(try container.decode([String: Int].self))
            }
        }
    }

    struct Strategy: Decodable {
        let layout: [String: Int]
        let name: String?
        let ratio: Double?
        let counts: [String: Int]?
        let over, under, smote: Outcome

        var strategy: SamplingStrategy {
            if let ratio { return .ratio(ratio) }
            if let counts { return .counts(counts) }
            switch name! {
            case "auto": return .auto
            case "minority": return .minority
            case "majority": return .majority
            case "not minority": return .notMinority
            case "not majority": return .notMajority
            default: return .all
            }
        }
    }

    struct Strategies: Decodable { let cases: [Strategy] }

    struct Smote: Decodable {
        let k: Int
        let columns: [String]
        let x: [[Double]]
        let y: [String]
        let neighbours: [[Int]]
        let imblearnSyntheticMean: [String: [Double]]
        let imblearnSyntheticMeanSpread: [String: [Double]]
        let imblearnRuns: Int

        func frame() throws -> DataFrame {
            try DataFrame(columns.indices.map { j in Column.numeric(columns[j], x.map { $0[j] }) }
                          + [Column.categorical("y", y)])
        }
    }

    struct SmoteNC: Decodable {
        let k: Int
        let numeric: [[Double]]
        let colour, size, y: [String]
        let medianStd: [String: Double]
        let neighbours: [[Int]]
        let modes: [[[String]]]
        let imblearnColourShareOfSynthetic: [String: Double]

        func frame() throws -> DataFrame {
            try DataFrame((0..<3).map { j in Column.numeric("n\(j)", numeric.map { $0[j] }) }
                          + [.categorical("colour", colour), .categorical("size", size), .categorical("y", y)])
        }
    }
}

/// `u` with `point = base + u·(other − base)` when `point` lies on that
/// segment (to 1e-9), else `nil`.
private func segmentPosition(_ point: [Double], _ base: [Double], _ other: [Double]) -> Double? {
    let direction = zip(other, base).map { $0 - $1 }
    let length = direction.reduce(0) { $0 + $1 * $1 }
    guard length > 0 else { return point == base ? 0 : nil }
    let u = zip(zip(point, base).map { $0 - $1 }, direction).reduce(0) { $0 + $1.0 * $1.1 } / length
    guard u >= -1e-12, u <= 1 + 1e-12 else { return nil }
    for j in point.indices where abs(base[j] + u * direction[j] - point[j]) > 1e-9 { return nil }
    return u
}

/// The numeric row `i` of `frame`'s columns `names`.
private func numericRow(_ frame: DataFrame, _ names: [String], _ i: Int) -> [Double] {
    names.map { frame[$0]!.numeric!.values[i] }
}

/// The message of the `UsageError` `body` throws, or a recorded issue.
private func usageMessage(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        Issue.record("expected a UsageError")
        return ""
    } catch let error as UsageError {
        return error.description
    } catch {
        Issue.record("expected a UsageError, got \(error)")
        return ""
    }
}

/// A frame of `counts` rows per label (labels in the given order), with a
/// distinct continuous feature "x" and a row id "id".
private func layoutFrame(_ layout: [(String, Int)]) throws -> DataFrame {
    var labels: [String] = []
    for (label, n) in layout { labels += Array(repeating: label, count: n) }
    var rng = Xoshiro256(seed: 11)
    let x = labels.indices.map { Double($0) + rng.uniformDouble() }
    return try DataFrame([.numeric("x", x), .numeric("id", labels.indices.map(Double.init)), .categorical("y", labels)])
}

/// Class counts of `frame`'s column "y".
private func classCounts(_ frame: DataFrame, _ target: String = "y") throws -> [String: Int] {
    let encoding = try frame.classEncoding(target)
    var counts: [String: Int] = [:]
    for code in encoding.codes { counts[encoding.labels[code], default: 0] += 1 }
    return counts
}

@Suite("Resampling strategies")
struct SamplingStrategyTests {
    @Test("every strategy leaves imbalanced-learn's class counts (over, under, SMOTE), and refuses where it refuses")
    func countsMatchImbalancedLearn() throws {
        let fixture = try ResamplingFixtures.load("resampling_strategies.json", as: ResamplingFixtures.Strategies.self)
        #expect(fixture.cases.count == 48)
        var compared = 0
        for c in fixture.cases {
            // The fixture's layouts list labels in sorted order; rebuild them that way.
            let layout = c.layout.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            let frame = try layoutFrame(layout)
            // SMOTE reads only "x" here, so the id column is dropped for it.
            let samplers: [(any Sampler, ResamplingFixtures.Outcome, DataFrame)] = [
                (RandomOverSampler(samplingStrategy: c.strategy, seed: 1), c.over, frame),
                (RandomUnderSampler(samplingStrategy: c.strategy, seed: 1), c.under, frame),
                (SMOTE(k: 3, samplingStrategy: c.strategy, seed: 1), c.smote, try frame.dropping(["id"])),
            ]
            for (sampler, expected, input) in samplers {
                switch expected {
                case .error:
                    #expect(throws: UsageError.self, "\(type(of: sampler)) \(c.strategy) on \(c.layout)") {
                        try sampler.resample(input, target: "y")
                    }
                case .counts(let counts):
                    let out = try sampler.resample(input, target: "y")
                    #expect(try classCounts(out) == counts, "\(type(of: sampler)) \(c.strategy) on \(c.layout)")
                }
                compared += 1
            }
        }
        #expect(compared == 144)
    }

    @Test("the minority and majority are the first class of fewest or most rows in label order")
    func tiesGoToTheFirstLabel() throws {
        let frame = try layoutFrame([("a", 10), ("b", 30), ("c", 10), ("d", 30)])
        let minority = try RandomOverSampler(samplingStrategy: .minority).resample(frame, target: "y")
        #expect(try classCounts(minority) == ["a": 30, "b": 30, "c": 10, "d": 30])
        let majority = try RandomUnderSampler(samplingStrategy: .majority).resample(frame, target: "y")
        #expect(try classCounts(majority) == ["a": 10, "b": 10, "c": 10, "d": 30])
    }

    @Test("refusals say what is wrong: wrong direction, bad ratio, unknown class, counts moving a class the wrong way")
    func refusals() throws {
        let frame = try layoutFrame([("a", 50), ("b", 20)])
        #expect(usageMessage { try RandomUnderSampler(samplingStrategy: .minority).resample(frame, target: "y") }
            .contains("cannot use the strategy \"minority\""))
        #expect(usageMessage { try RandomOverSampler(samplingStrategy: .ratio(1.5)).resample(frame, target: "y") }
            .contains("must lie in (0, 1]"))
        #expect(usageMessage { try RandomOverSampler(samplingStrategy: .ratio(0.3)).resample(frame, target: "y") }
            .contains("only adds rows"))
        #expect(usageMessage { try RandomOverSampler(samplingStrategy: .counts(["z": 3])).resample(frame, target: "y") }
            .contains("the classes are \"a\", \"b\""))
        #expect(usageMessage { try RandomUnderSampler(samplingStrategy: .counts(["b": 30])).resample(frame, target: "y") }
            .contains("asked for 30 rows but has 20"))
        let three = try layoutFrame([("a", 5), ("b", 6), ("c", 7)])
        #expect(usageMessage { try RandomOverSampler(samplingStrategy: .ratio(0.5)).resample(three, target: "y") }
            .contains("needs a binary target"))
    }

    @Test("a target of one class, a missing target or an unknown target column is refused")
    func badTargets() throws {
        let one = try DataFrame([.numeric("x", [1, 2, 3]), .categorical("y", ["a", "a", "a"])])
        #expect(usageMessage { try SMOTE().resample(one, target: "y") }.contains("holds only \"a\""))
        #expect(usageMessage { try RandomUnderSampler().resample(one, target: "y") }.contains("at least two classes"))
        let missing = try DataFrame([.numeric("x", [1, 2, 3]), .categorical("y", ["a", nil, "b"])])
        #expect(usageMessage { try RandomOverSampler().resample(missing, target: "y") }.contains("missing in row 2"))
        #expect(usageMessage { try RandomOverSampler().resample(missing, target: "nope") }.contains("no column named \"nope\""))
    }
}

@Suite("Random over- and under-sampling, bootstrap, noise")
struct RandomSamplingTests {
    @Test("over-sampling keeps every row in place and appends copies of the raised class's rows, drawn uniformly")
    func overSampling() throws {
        let frame = try layoutFrame([("a", 1000), ("b", 10)])
        let out = try RandomOverSampler(seed: 3).resample(frame, target: "y")
        #expect(out.rowCount == 2000)
        #expect(out.rows(0..<frame.rowCount) == frame)
        var drawn = [Int: Int]()
        for i in frame.rowCount..<out.rowCount {
            let id = Int(out["id"]!.numeric!.values[i])
            #expect(out["y"]!.formattedValue(i) == "b" && id >= 1000)
            #expect(out["x"]!.numeric!.values[i] == frame["x"]!.numeric!.values[id], "a copy, unchanged")
            drawn[id, default: 0] += 1
        }
        // 990 draws over 10 rows: 99 each on average, binomial sd about 9.4.
        #expect(drawn.count == 10 && drawn.values.allSatisfy { abs(Double($0) - 99) < 5 * 9.4 })
    }

    @Test("over-sampling copies missing feature values as they are")
    func overSamplingKeepsMissingValues() throws {
        let frame = try DataFrame([.numeric("x", [.nan, 1, 2, 3, 4]), .categorical("c", [nil, "u", "v", "u", "v"]),
                                   .categorical("y", ["b", "a", "a", "a", "a"])])
        let out = try RandomOverSampler().resample(frame, target: "y")
        #expect(out.rowCount == 8)
        for i in 5..<8 { #expect(out["x"]!.isMissing(i) && out["c"]!.isMissing(i) && out["y"]!.formattedValue(i) == "b") }
    }

    @Test("under-sampling keeps a uniform subset of the cut class, without repeats, in row order")
    func underSampling() throws {
        let frame = try layoutFrame([("a", 40), ("b", 10), ("c", 25)])
        var kept = [Int](repeating: 0, count: frame.rowCount)
        let runs = 400
        for seed in 0..<runs {
            let out = try RandomUnderSampler(seed: UInt64(seed)).resample(frame, target: "y")
            #expect(try classCounts(out) == ["a": 10, "b": 10, "c": 10])
            let ids = out["id"]!.numeric!.values.array.map(Int.init)
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            for id in ids { kept[id] += 1 }
        }
        // Each "a" row is kept with probability 10/40, each "c" row with 10/25; "b" always.
        for id in 0..<40 { #expect(abs(Double(kept[id]) - 100) < 5 * (400 * 0.25 * 0.75).squareRoot()) }
        for id in 40..<50 { #expect(kept[id] == runs) }
        for id in 50..<75 { #expect(abs(Double(kept[id]) - 160) < 5 * (400 * 0.4 * 0.6).squareRoot()) }
    }

    @Test("a stratified bootstrap keeps each class's count; a plain one draws from all rows of any target")
    func bootstrap() throws {
        let frame = try layoutFrame([("a", 60), ("b", 15)])
        let out = try BootstrapSampler(seed: 5).resample(frame, target: "y")
        #expect(try classCounts(out) == ["a": 60, "b": 15])
        let ids = out["id"]!.numeric!.values.array.map(Int.init)
        #expect(ids == ids.sorted() && Set(ids).count < ids.count, "sorted, with repeats")
        for (i, id) in ids.enumerated() { #expect(out["x"]!.numeric!.values[i] == frame["x"]!.numeric!.values[id]) }
        let half = try BootstrapSampler(fraction: 0.5, seed: 5).resample(frame, target: "y")
        #expect(try classCounts(half) == ["a": 30, "b": 8], "15 × 0.5 rounds to 8")
        let regression = try DataFrame([.numeric("x", (0..<50).map(Double.init)), .numeric("t", (0..<50).map { Double($0) * 0.37 })])
        let plain = try BootstrapSampler(fraction: 2, stratified: false, seed: 1).resample(regression, target: "t")
        #expect(plain.rowCount == 100)
        #expect(plain != (try BootstrapSampler(fraction: 2, stratified: false, seed: 2).resample(regression, target: "t")))
        #expect(throws: UsageError.self) { try BootstrapSampler(fraction: 0).resample(frame, target: "y") }
    }

    @Test("noisy copies: a copy of a class row plus noise of scale × the class's standard deviation; missing stays missing")
    func noise() throws {
        var rng = Xoshiro256(seed: 9)
        let n = 200
        // Class "b": x uniform on [0, 12) (sd ≈ 3.46), w constant, z with a missing value.
        var x = (0..<n).map { _ in rng.uniformDouble() * 100 }
        var labels = Array(repeating: "a", count: n)
        for i in 0..<20 { labels[i] = "b"; x[i] = Double(i) * 0.6 }
        var z = (0..<n).map { Double($0) }
        z[3] = .nan
        let frame = try DataFrame([.numeric("x", x), .numeric("w", Array(repeating: 2, count: n)), .numeric("z", z),
                                   .categorical("c", (0..<n).map { $0 % 2 == 0 ? "even" : "odd" }),
                                   .numeric("id", (0..<n).map(Double.init)), .categorical("y", labels)])
        let augmenter = NoiseAugmenter(samplingStrategy: .counts(["b": 20_020]), scale: 0.5, columns: ["x", "w", "z"], seed: 4)
        let out = try augmenter.resample(frame, target: "y")
        #expect(out.rowCount == n + 20_000 && out.rows(0..<n) == frame)
        let xs = (0..<20).map { Double($0) * 0.6 }
        let mean = xs.reduce(0, +) / 20
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20).squareRoot()
        var sum = 0.0, squares = 0.0
        for i in n..<out.rowCount {
            let id = Int(out["id"]!.numeric!.values[i])
            #expect(id < 20 && out["c"]!.formattedValue(i) == frame["c"]!.formattedValue(id))
            #expect(out["w"]!.numeric!.values[i] == 2, "a constant column gets no noise")
            if id == 3 { #expect(out["z"]!.isMissing(i)) }
            let noise = out["x"]!.numeric!.values[i] - x[id]
            sum += noise
            squares += noise * noise
        }
        let draws = 20_000.0
        #expect(abs(sum / draws) < 5 * 0.5 * sd / draws.squareRoot())
        #expect(abs((squares / draws).squareRoot() / (0.5 * sd) - 1) < 0.03)
        let exact = try NoiseAugmenter(scale: 0, seed: 4).resample(frame, target: "y")
        for i in n..<exact.rowCount { #expect(exact["x"]!.numeric!.values[i] == x[Int(exact["id"]!.numeric!.values[i])]) }
        #expect(usageMessage { try NoiseAugmenter(columns: ["c"]).resample(frame, target: "y") }.contains("\"c\" is categorical"))
    }
}

@Suite("SMOTE and SMOTE-NC")
struct SMOTETests {
    @Test("each row's neighbours are scikit-learn's exact 5 nearest same-class rows, in the same order")
    func neighboursMatchScikitLearn() throws {
        let fixture = try ResamplingFixtures.load("resampling_smote.json", as: ResamplingFixtures.Smote.self)
        let frame = try fixture.frame()
        // Raise all three classes so every class's neighbours are searched.
        let smote = SMOTE(k: fixture.k, samplingStrategy: .counts(["major": 401, "mid": 121, "rare": 41]))
        let plan = try smote.plan(frame, target: "y")
        #expect(plan.classes.count == 3)
        var compared = 0
        for raised in plan.classes {
            for (i, row) in raised.rows.enumerated() {
                let mine = (0..<fixture.k).map { raised.rows[Int(raised.neighbours[i * fixture.k + $0])] }
                #expect(mine == fixture.neighbours[row], "row \(row)")
                compared += 1
            }
        }
        #expect(compared == 560)
    }

    @Test("every synthetic row lies on a segment from a row of its class to one of that row's neighbours")
    func syntheticRowsLieOnNeighbourSegments() throws {
        let fixture = try ResamplingFixtures.load("resampling_smote.json", as: ResamplingFixtures.Smote.self)
        let frame = try fixture.frame()
        let out = try SMOTE(k: fixture.k, seed: 21).resample(frame, target: "y")
        #expect(try classCounts(out) == ["major": 400, "mid": 400, "rare": 400])
        #expect(out.rows(0..<frame.rowCount) == frame, "original rows first, unchanged")
        var rowsOfClass: [String: [Int]] = [:]
        for (i, label) in fixture.y.enumerated() { rowsOfClass[label, default: []].append(i) }
        var onSegment = 0
        for i in frame.rowCount..<out.rowCount {
            let point = numericRow(out, fixture.columns, i)
            let label = out["y"]!.formattedValue(i)!
            let found = rowsOfClass[label]!.contains { b in
                fixture.neighbours[b].contains { segmentPosition(point, fixture.x[b], fixture.x[$0]) != nil }
            }
            if found { onSegment += 1 } else { Issue.record("synthetic row \(i) lies on no neighbour segment") }
        }
        #expect(onSegment == 640)
    }

    @Test("the synthetic rows' class means match their exact expectation and imbalanced-learn's")
    func syntheticMeans() throws {
        let fixture = try ResamplingFixtures.load("resampling_smote.json", as: ResamplingFixtures.Smote.self)
        let frame = try fixture.frame()
        let d = fixture.columns.count
        for label in ["mid", "rare"] {
            let rows = fixture.y.indices.filter { fixture.y[$0] == label }
            // Over every (row, neighbour) pair and u ~ U[0, 1): E[s] = (a + b)/2,
            // E[s²] = a² + a(b − a) + (b − a)²/3.
            var expectation = [Double](repeating: 0, count: d), second = [Double](repeating: 0, count: d)
            let pairs = Double(rows.count * fixture.k)
            for b in rows {
                for nb in fixture.neighbours[b] {
                    for j in 0..<d {
                        let a = fixture.x[b][j], c = fixture.x[nb][j]
                        expectation[j] += (a + c) / 2 / pairs
                        second[j] += (a * a + a * (c - a) + (c - a) * (c - a) / 3) / pairs
                    }
                }
            }
            // Pareto: the mean of the synthetic rows over 40 seeds (360 or 280 rows each).
            var sums = [Double](repeating: 0, count: d)
            var count = 0.0
            for seed in 0..<40 {
                let out = try SMOTE(k: fixture.k, seed: UInt64(seed)).resample(frame, target: "y")
                for i in frame.rowCount..<out.rowCount where out["y"]!.formattedValue(i) == label {
                    for j in 0..<d { sums[j] += out[fixture.columns[j]]!.numeric!.values[i] }
                    count += 1
                }
            }
            for j in 0..<d {
                let sd = (second[j] - expectation[j] * expectation[j]).squareRoot()
                let mean = sums[j] / count
                #expect(abs(mean - expectation[j]) < 4.5 * sd / count.squareRoot(), "Pareto, \(label), x\(j)")
                // imbalanced-learn's mean over its 40 seeds: same expectation, same spread.
                let theirs = fixture.imblearnSyntheticMean[label]![j]
                let spread = fixture.imblearnSyntheticMeanSpread[label]![j] / Double(fixture.imblearnRuns).squareRoot()
                #expect(abs(theirs - expectation[j]) < 4.5 * spread, "imbalanced-learn, \(label), x\(j)")
                #expect(abs(mean - theirs) < 4.5 * (spread * spread + sd * sd / count).squareRoot())
            }
        }
    }

    @Test("the same seed gives the same rows for any thread count; another seed gives other rows")
    func determinism() throws {
        let fixture = try ResamplingFixtures.load("resampling_smote.json", as: ResamplingFixtures.Smote.self)
        let frame = try fixture.frame()
        let one = try SMOTE(seed: 8, threads: 1).resample(frame, target: "y")
        for threads in [2, 3, 8] {
            #expect(try SMOTE(seed: 8, threads: threads).resample(frame, target: "y") == one)
        }
        #expect(try SMOTE(seed: 9).resample(frame, target: "y") != one)
        let nc = try ResamplingFixtures.load("resampling_smotenc.json", as: ResamplingFixtures.SmoteNC.self).frame()
        let a = try SMOTENC(seed: 3, threads: 1).resample(nc, target: "y")
        #expect(try SMOTENC(seed: 3, threads: 2).resample(nc, target: "y") == a)
        #expect(try SMOTENC(seed: 4, threads: 1).resample(nc, target: "y") != a)
    }

    @Test("SMOTE-NC: imbalanced-learn's median deviation and neighbours; numbers on a neighbour segment, categories among the neighbours' most frequent")
    func smotenc() throws {
        let fixture = try ResamplingFixtures.load("resampling_smotenc.json", as: ResamplingFixtures.SmoteNC.self)
        let frame = try fixture.frame()
        let numeric = ["n0", "n1", "n2"]
        let plan = try SMOTENC(k: fixture.k, samplingStrategy: .counts(["no": 201, "yes": 46])).plan(frame, target: "y")
        var compared = 0
        for raised in plan.classes {
            let label = ["no", "yes"][raised.label]
            let columns = numeric.map { frame[$0]!.numeric! }
            let encoded = SyntheticPlan.encode(rows: raised.rows, numeric: columns,
                                               categories: ["colour", "size"].map { SyntheticPlan.codes(frame[$0]!) })
            // The one-hot entries hold median/√2: read the median back from a row's encoding.
            let median = encoded.values[3..<encoded.dimensions].max()! * 2.0.squareRoot()
            #expect(abs(median - fixture.medianStd[label]!) <= 1e-12 * fixture.medianStd[label]!)
            for (i, row) in raised.rows.enumerated() {
                let mine = (0..<fixture.k).map { raised.rows[Int(raised.neighbours[i * fixture.k + $0])] }
                #expect(mine == fixture.neighbours[row], "row \(row)")
                compared += 1
            }
        }
        #expect(compared == 245)

        let out = try SMOTENC(k: fixture.k, seed: 2).resample(frame, target: "y")
        #expect(try classCounts(out) == ["no": 200, "yes": 200])
        #expect(out.rows(0..<frame.rowCount) == frame)
        #expect(out["colour"]!.categorical!.levels == frame["colour"]!.categorical!.levels)
        let yes = fixture.y.indices.filter { fixture.y[$0] == "yes" }
        for i in frame.rowCount..<out.rowCount {
            let point = numericRow(out, numeric, i)
            let bases = yes.filter { b in fixture.neighbours[b].contains { segmentPosition(point, fixture.numeric[b], fixture.numeric[$0]) != nil } }
            let colour = out["colour"]!.formattedValue(i)!, size = out["size"]!.formattedValue(i)!
            #expect(!bases.isEmpty && bases.contains { fixture.modes[$0][0].contains(colour) && fixture.modes[$0][1].contains(size) },
                    "synthetic row \(i)")
        }
    }

    @Test("SMOTE-NC's synthetic colour shares match their exact expectation and imbalanced-learn's")
    func smotencCategoryShares() throws {
        let fixture = try ResamplingFixtures.load("resampling_smotenc.json", as: ResamplingFixtures.SmoteNC.self)
        let frame = try fixture.frame()
        let yes = fixture.y.indices.filter { fixture.y[$0] == "yes" }
        var counts: [String: Double] = [:]
        var total = 0.0
        for seed in 0..<30 {
            let out = try SMOTENC(k: fixture.k, seed: UInt64(seed)).resample(frame, target: "y")
            for i in frame.rowCount..<out.rowCount { counts[out["colour"]!.formattedValue(i)!, default: 0] += 1; total += 1 }
        }
        for colour in ["red", "green", "blue"] {
            // Every base row equally likely; a tie shares its probability among the tied colours.
            let expected = yes.reduce(0.0) { sum, b in
                let modes = fixture.modes[b][0]
                return sum + (modes.contains(colour) ? 1 / Double(modes.count) : 0)
            } / Double(yes.count)
            let share = counts[colour, default: 0] / total
            #expect(abs(share - expected) < 4.5 * (expected * (1 - expected) / total).squareRoot() + 1e-12, "\(colour)")
            // imbalanced-learn ran once (155 rows): a looser bound.
            let theirs = fixture.imblearnColourShareOfSynthetic[colour]!
            #expect(abs(theirs - expected) < 4.5 * (expected * (1 - expected) / 155).squareRoot() + 1e-12, "\(colour)")
        }
    }

    @Test("SMOTE refuses missing and non-finite values by column and row, non-numeric columns, and classes of k rows or fewer")
    func refusals() throws {
        let missing = try DataFrame([.numeric("a", [1, 2, 3, 4, 5, 6, 7, 8]), .numeric("b", [1, 2, .nan, 4, 5, 6, 7, 8]),
                                     .categorical("y", ["p", "p", "p", "q", "q", "q", "q", "q"])])
        #expect(usageMessage { try SMOTE(k: 2).resample(missing, target: "y") }.contains("column \"b\" has a missing value in row 3"))
        let infinite = try DataFrame([.numeric("a", [1, .infinity, 3, 4, 5, 6, 7, 8]), .categorical("y", ["p", "p", "p", "q", "q", "q", "q", "q"])])
        #expect(usageMessage { try SMOTE(k: 2).resample(infinite, target: "y") }.contains("non-finite value in row 2"))
        let small = try DataFrame([.numeric("a", [1, 2, 3, 4, 5, 6, 7, 8]), .categorical("y", ["p", "p", "p", "q", "q", "q", "q", "q"])])
        let message = usageMessage { try SMOTE(k: 3).resample(small, target: "y") }
        #expect(message.contains("class \"p\" has 3") && message.contains("lower k below 3"))
        #expect(try SMOTE(k: 2).resample(small, target: "y").rowCount == 10)
        let categorical = try DataFrame([.numeric("a", [1, 2, 3, 4]), .categorical("c", ["u", "v", "u", "v"]),
                                         .categorical("y", ["p", "p", "q", "q"])])
        #expect(usageMessage { try SMOTE(k: 1).resample(categorical, target: "y") }.contains("use SMOTENC"))
        #expect(usageMessage { try SMOTENC().resample(small, target: "y") }.contains("use SMOTE"))
        let noNumbers = try DataFrame([.categorical("c", ["u", "v", "u", "v"]), .categorical("y", ["p", "p", "q", "q"])])
        #expect(usageMessage { try SMOTENC(k: 1).resample(noNumbers, target: "y") }.contains("at least one numeric column"))
        let missingCategory = try DataFrame([.numeric("a", [1, 2, 3, 4, 5]), .categorical("c", ["u", nil, "u", "v", "v"]),
                                             .categorical("y", ["p", "p", "q", "q", "q"])])
        #expect(usageMessage { try SMOTENC(k: 1).resample(missingCategory, target: "y") }.contains("column \"c\" has a missing value in row 2"))
        #expect(usageMessage { try SMOTE(k: 0).resample(small, target: "y") }.contains("k of at least 1"))
    }

    @Test("SMOTE-NC treats booleans as categories and keeps them boolean")
    func booleans() throws {
        var rng = Xoshiro256(seed: 1)
        let n = 40
        let frame = try DataFrame([.numeric("a", (0..<n).map { _ in rng.uniformDouble() }),
                                   .boolean("flag", (0..<n).map { $0 < 10 ? true : $0 % 3 == 0 }),
                                   .categorical("y", (0..<n).map { $0 < 10 ? "rare" : "common" })])
        let out = try SMOTENC(k: 3).resample(frame, target: "y")
        #expect(out["flag"]!.kind == .boolean && out.rowCount == 60)
        // Every rare row is flagged, so every synthetic rare row is too.
        for i in n..<60 { #expect(out["flag"]!.formattedValue(i) == "true") }
    }

    @Test("samplers survive a JSON round trip through the registry and resample the same after it")
    func codable() throws {
        let fixture = try ResamplingFixtures.load("resampling_smote.json", as: ResamplingFixtures.Smote.self)
        let frame = try fixture.frame()
        let samplers: [any Sampler] = [
            RandomOverSampler(samplingStrategy: .counts(["rare": 100]), seed: 2), RandomUnderSampler(samplingStrategy: .counts(["major": 100]), seed: 3),
            SMOTE(k: 4, samplingStrategy: .notMajority, seed: 4, threads: 1), NoiseAugmenter(scale: 0.2, seed: 5),
            BootstrapSampler(fraction: 0.7, stratified: false, seed: 6),
        ]
        for sampler in samplers {
            let json = try JSONEncoder().encode(AnySampler(sampler))
            let decoded = try JSONDecoder().decode(AnySampler.self, from: json)
            #expect(type(of: decoded.base) == type(of: sampler))
            #expect(try decoded.resample(frame, target: "y") == sampler.resample(frame, target: "y"))
        }
        let nc = try ResamplingFixtures.load("resampling_smotenc.json", as: ResamplingFixtures.SmoteNC.self).frame()
        let decoded = try JSONDecoder().decode(AnySampler.self, from: JSONEncoder().encode(AnySampler(SMOTENC(k: 3, seed: 9))))
        #expect(try decoded.resample(nc, target: "y") == SMOTENC(k: 3, seed: 9).resample(nc, target: "y"))
        let unknown = Data(#"{"kind":"nope","settings":{}}"#.utf8)
        #expect(throws: UsageError.self) { try JSONDecoder().decode(AnySampler.self, from: unknown) }
    }
}

@Suite("Exact nearest neighbours")
struct NearestNeighbourTests {
    /// Brute force: every other point by (squared distance summed in order, index).
    func bruteForce(_ points: [Double], _ n: Int, _ d: Int, _ k: Int) -> [Int32] {
        var out: [Int32] = []
        for i in 0..<n {
            var candidates: [(Double, Int)] = []
            for j in 0..<n where j != i {
                var distance = 0.0
                for t in 0..<d { distance += (points[i * d + t] - points[j * d + t]) * (points[i * d + t] - points[j * d + t]) }
                candidates.append((distance, j))
            }
            candidates.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            out += candidates.prefix(k).map { Int32($0.1) }
        }
        return out
    }

    @Test("the k-d tree returns brute force's neighbours, ties by index, on tied integer grids and duplicates, any threads")
    func matchesBruteForce() throws {
        var rng = Xoshiro256(seed: 2024)
        for (n, d, k, spread) in [(300, 1, 5, 10), (500, 2, 5, 6), (400, 3, 7, 3), (350, 7, 5, 4), (200, 12, 3, 2), (64, 2, 63, 2), (40, 3, 4, 1)] {
            // Few distinct values per axis: many equal distances, many duplicate points.
            let points = (0..<(n * d)).map { _ in Double(rng.uniformInt(below: spread)) }
            let tree = KDTree(rowMajor: points, count: n, dimensions: d)
            let expected = bruteForce(points, n, d, k)
            #expect(tree.neighbours(k: k, threads: 1) == expected, "n \(n) d \(d) k \(k)")
            #expect(tree.neighbours(k: k, threads: 2) == expected)
        }
        let continuous = (0..<(800 * 4)).map { _ in rng.uniformDouble() * 1e3 }
        let tree = KDTree(rowMajor: continuous, count: 800, dimensions: 4)
        #expect(tree.neighbours(k: 6, threads: 3) == bruteForce(continuous, 800, 4, 6))
    }
}
