import Foundation
import ParetoCore
import ParetoData
import Testing
@testable import ParetoTrees

/// LightGBM's own raw scores on small categorical data sets
/// (`Fixtures/make_categorical_fixtures.py`): one-vs-rest splits of three
/// categories with missing values (plain L2), the sorted many-vs-many
/// search on four categories (LightGBM counts the missing bin, so four
/// categories are not one-hot; at most half the categories on a side;
/// groups of `minDataPerGroup` rows; `catL2` in the children's values),
/// twelve categories with a number, a binary objective with every category
/// and prefix in play, a category its leaf's parent could not split on (so
/// not searched), numeric thresholds between a leaf's rows (checked on rows
/// not trained on), and a binary objective at LightGBM's defaults, where
/// row counts estimated from hessians decide splits. The same
/// parameters here must give the same trees, so the same scores up to the
/// Float gradients both libraries keep.
@Suite("Categorical splits against LightGBM")
struct CategoricalLightGBMTests {
    struct Fixture: Decodable {
        struct Column: Decodable {
            let name: String
            let kind: String
            let strings: [String?]
            let numbers: [Double?]

            enum CodingKeys: String, CodingKey { case name, kind, values }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                name = try c.decode(String.self, forKey: .name)
                kind = try c.decode(String.self, forKey: .kind)
                if kind == "categorical" {
                    strings = try c.decode([String?].self, forKey: .values)
                    numbers = []
                } else {
                    numbers = try c.decode([Double?].self, forKey: .values)
                    strings = []
                }
            }
        }

        struct Case: Decodable {
            let name: String
            let objective: String
            let rounds: Int
            let learning_rate: Double
            let num_leaves: Int
            let min_data_in_leaf: Int
            let lambda_l2: Double
            let min_data_per_group: Int
            let cat_smooth: Double
            let columns: [Column]
            let labels: [Double]
            let raw: [Double]
            /// Rows not trained on (numeric columns, nil = missing) and LightGBM's raw scores.
            let probe: Probe?
        }

        struct Probe: Decodable {
            let columns: [[Double?]]
            let raw: [Double]
        }

        let cases: [Case]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "categorical_splits", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static var names: [String] { fixture.cases.map(\.name) }

    @Test("the same trees as LightGBM", arguments: names)
    func sameAsLightGBM(_ name: String) throws {
        let c = try #require(Self.fixture.cases.first { $0.name == name })
        let columns: [Column] = c.columns.map { column in
            column.kind == "categorical"
                ? .categorical(column.name, column.strings)
                : .numeric(column.name, column.numbers.map { $0 ?? .nan })
        }
        let frame = try DataFrame(columns)
        let data = try BinnedDataset(frame, binning: try Binner.fit(frame))
        var learner = GradientBoosting(objective: c.objective == "binary" ? .binary : .regression)
        learner.numTrees = c.rounds
        learner.learningRate = c.learning_rate
        learner.tree.numLeaves = c.num_leaves
        learner.tree.minDataInLeaf = c.min_data_in_leaf
        learner.tree.lambdaL2 = c.lambda_l2
        learner.tree.minDataPerGroup = c.min_data_per_group
        learner.tree.catSmooth = c.cat_smooth
        learner.threads = 1
        let model = try learner.fit(data, labels: c.labels)
        let raw = model.rawScores(data)
        let scale = c.raw.map(abs).max() ?? 1
        var worst = 0.0
        for (mine, theirs) in zip(raw, c.raw) { worst = max(worst, abs(mine - theirs)) }
        #expect(raw.count == c.raw.count)
        #expect(worst <= 1e-5 * max(1, scale), "largest difference from LightGBM's raw score: \(worst)")

        // Probe rows score through the raw thresholds, which training rows
        // cannot tell apart where a leaf has no rows between two bins.
        if let probe = c.probe {
            let rowCount = probe.raw.count
            var values = [Double](repeating: .nan, count: rowCount * probe.columns.count)
            for (j, column) in probe.columns.enumerated() {
                for (r, value) in column.enumerated() { values[r * probe.columns.count + j] = value ?? .nan }
            }
            let compiled = CompiledEnsemble(model)
            let scores = values.withUnsafeBufferPointer { compiled.rawScores(rows: $0, rowCount: rowCount, threads: 1) }
            var worstProbe = 0.0
            for (mine, theirs) in zip(scores, probe.raw) { worstProbe = max(worstProbe, abs(mine - theirs)) }
            #expect(scores.count == rowCount)
            #expect(worstProbe <= 1e-5 * max(1, scale), "largest difference on probe rows: \(worstProbe)")
        }
    }
}
