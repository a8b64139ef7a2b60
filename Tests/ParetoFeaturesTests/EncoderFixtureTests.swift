import Foundation
import Testing
import ParetoCore
import ParetoData
@testable import ParetoFeatures

/// The encoders against scikit-learn, category_encoders and pandas on the
/// same inputs (`Fixtures/make_encoder_fixtures.py`), to 1e-9.
@Suite("Encoders match their references")
struct EncoderFixtureTests {
    typealias F = EncoderFixtures

    struct Data2: Decodable, Sendable {
        let train: [F.ColumnSpec]
        let test: [F.ColumnSpec]
    }

    // MARK: One-hot

    struct OneHotFile: Decodable, Sendable {
        struct Settings: Decodable, Sendable {
            let minFrequencyCount: Int?
            let minFrequencyFraction: Double?
            let maxCategories: Int?
            let unknown: String?
            let drop: String?
        }
        struct Case: Decodable, Sendable, CustomTestStringConvertible {
            let name: String
            let data: String
            let settings: Settings
            let infrequent: [String: [String]]
            let expectedTrain: F.Outputs
            let expectedTest: F.Outputs
            var testDescription: String { name }
        }
        let data: [String: Data2]
        let cases: [Case]
    }

    static let oneHot = try! F.load("encoders_onehot.json", as: OneHotFile.self)

    @Test("one-hot: categories, infrequent buckets, drops, unseen and missing values", arguments: oneHot.cases)
    func oneHotCase(_ c: OneHotFile.Case) throws {
        let s = c.settings
        let encoder = OneHotEncoder(
            minFrequency: s.minFrequencyCount.map { .count($0) } ?? s.minFrequencyFraction.map { .fraction($0) },
            maxCategories: s.maxCategories,
            unknown: s.unknown.map { OneHotEncoder.UnknownCategories(rawValue: $0)! } ?? .ignore,
            drop: s.drop.map { OneHotEncoder.Drop(rawValue: $0)! })
        let data = Self.oneHot.data[c.data]!
        let train = try F.frame(data.train), test = try F.frame(data.test)
        let fitted = try encoder.fit(train, columns: train.columnNames, target: nil)
        F.expectColumns(try fitted.transform(train), c.expectedTrain, "\(c.name) train")
        F.expectColumns(try fitted.transform(test), c.expectedTest, "\(c.name) test")
        for feature in fitted.features {
            #expect(feature.infrequentLevels == (c.infrequent[feature.column] ?? []), "\(c.name): \(feature.column)")
        }
    }

    // MARK: Ordinal and frequency

    struct OrdinalFile: Decodable, Sendable {
        let train: [F.ColumnSpec]
        let test: [F.ColumnSpec]
        let categories: [String: [String]]
        let expectedTrain: F.Outputs
        let expectedTest: F.Outputs
    }

    @Test("ordinal: sorted codes, −1 for unseen categories, missing stays missing")
    func ordinal() throws {
        let file = try F.load("encoders_ordinal.json", as: OrdinalFile.self)
        let train = try F.frame(file.train), test = try F.frame(file.test)
        let fitted = try OrdinalEncoder(unknown: .value(-1)).fit(train, columns: train.columnNames, target: nil)
        #expect(fitted.categories == file.categories)
        F.expectColumns(try fitted.transform(train), file.expectedTrain, "ordinal train")
        F.expectColumns(try fitted.transform(test), file.expectedTest, "ordinal test")
    }

    struct FrequencyFile: Decodable, Sendable {
        struct Case: Decodable, Sendable {
            let measure: String
            let expectedTrain: F.Outputs
            let expectedTest: F.Outputs
        }
        let train: [F.ColumnSpec]
        let test: [F.ColumnSpec]
        let cases: [Case]
    }

    @Test("frequency: counts and shares of the training rows, missing counted, unseen 0")
    func frequency() throws {
        let file = try F.load("encoders_frequency.json", as: FrequencyFile.self)
        let train = try F.frame(file.train), test = try F.frame(file.test)
        #expect(file.cases.count == 2)
        for c in file.cases {
            let fitted = try FrequencyEncoder(measure: .init(rawValue: c.measure)!).fit(train, columns: train.columnNames, target: nil)
            F.expectColumns(try fitted.transform(train), c.expectedTrain, "\(c.measure) train")
            F.expectColumns(try fitted.transform(test), c.expectedTest, "\(c.measure) test")
        }
    }

    // MARK: Target encoding

    struct TargetFile: Decodable, Sendable {
        enum SmoothingSpec: Decodable, Sendable {
            case auto, fixed(Double)
            init(from decoder: any Decoder) throws {
                if let s = try? decoder.singleValueContainer().decode(String.self), s == "auto" {
                    self = .auto
                } else {
                    struct Fixed: Decodable { let fixed: Double }
                    self = .fixed(try Fixed(from: decoder).fixed)
                }
            }
            var smoothing: TargetEncoder.Smoothing {
                switch self {
                case .auto: .auto
                case .fixed(let k): .fixed(k)
                }
            }
        }
        struct Case: Decodable, Sendable {
            let smoothing: SmoothingSpec
            let classes: [String]
            let targetMean: [Double]
            let encodings: [[Double]]
            let expectedTest: F.Outputs
            let expectedOutOfFold: F.Outputs
        }
        struct Task: Decodable, Sendable, CustomTestStringConvertible {
            let task: String
            let target: [F.Scalar]
            let folds: [[Int]]
            let cases: [Case]
            var testDescription: String { task }
        }
        let train: [F.ColumnSpec]
        let test: [F.ColumnSpec]
        let categories: [String: [String]]
        let tasks: [Task]
    }

    static let target = try! F.load("encoders_target.json", as: TargetFile.self)

    /// The training frame with the fixture's target as column "y".
    static func targetFrame(_ task: TargetFile.Task) throws -> DataFrame {
        var frame = try F.frame(target.train)
        if task.task == "regression" {
            try frame.setColumn(.numeric("y", task.target.map { if case .number(let v) = $0 { v } else { .nan } }))
        } else {
            try frame.setColumn(.categorical("y", task.target.map { if case .string(let s) = $0 { s } else { nil } }))
        }
        return frame
    }

    @Test("target encoding: full-data encodings, new rows, and out of fold with the same folds", arguments: target.tasks)
    func targetEncoding(_ t: TargetFile.Task) throws {
        let file = Self.target
        let train = try Self.targetFrame(t), test = try F.frame(file.test)
        let task = TaskKind(rawValue: t.task)!
        let n = train.rowCount
        let folds = t.folds.map { validation in
            let held = Set(validation)
            return Fold(train: (0..<n).filter { !held.contains($0) }, validation: validation)
        }
        for c in t.cases {
            let context = "\(t.task) \(c.smoothing)"
            let encoder = TargetEncoder(smoothing: c.smoothing.smoothing, task: task)
            // Inferring the task from the column agrees with the fixture's.
            #expect(try TargetEncoder(smoothing: c.smoothing.smoothing).fit(train, columns: ["city", "plan"], target: "y").task == task)
            let fitted = try encoder.fit(train, columns: ["city", "plan"], target: "y")
            #expect(fitted.classLabels == c.classes, "\(context)")
            #expect(zip(fitted.targetMeans, c.targetMean).allSatisfy { F.close($0, $1) } && fitted.targetMeans.count == c.targetMean.count,
                    "\(context): target means \(fitted.targetMeans) vs \(c.targetMean)")
            // scikit-learn's encodings_: feature-major, then class; categories sorted, missing last.
            var index = 0
            for feature in fitted.features {
                #expect(feature.levels + (feature.missingEncodings == nil ? [] : ["(missing)"]) == file.categories[feature.column])
                for o in feature.outputNames.indices {
                    let mine = feature.encodings[o] + (feature.missingEncodings.map { [$0[o]] } ?? [])
                    let theirs = c.encodings[index]
                    #expect(mine.count == theirs.count && zip(mine, theirs).allSatisfy { F.close($0, $1) },
                            "\(context): encodings of \(feature.outputNames[o])")
                    index += 1
                }
            }
            #expect(index == c.encodings.count)
            F.expectColumns(try fitted.transform(test), c.expectedTest, "\(context) test")
            let (again, outOfFold) = try encoder.fitTransform(train, columns: ["city", "plan"], target: "y", folds: folds)
            #expect(again == fitted, "fitTransform returns the encoder fitted on every row")
            F.expectColumns(outOfFold, c.expectedOutOfFold, ignoring: ["y"], "\(context) out of fold")
        }
    }

    // MARK: Polynomial features and group aggregates

    struct PolynomialFile: Decodable, Sendable {
        struct Case: Decodable, Sendable {
            let degree: Int
            let interactionOnly: Bool
            let includeBias: Bool
            let expected: F.Outputs
        }
        let input: [F.ColumnSpec]
        let cases: [Case]
    }

    @Test("polynomial features: scikit-learn's terms, order and values")
    func polynomial() throws {
        let file = try F.load("encoders_polynomial.json", as: PolynomialFile.self)
        let frame = try F.frame(file.input)
        #expect(file.cases.count == 5)
        for c in file.cases {
            let step = PolynomialFeatures(degree: c.degree, interactionOnly: c.interactionOnly, includeBias: c.includeBias)
            let out = try step.fit(frame, columns: ["a", "b", "c"], target: nil).transform(frame)
            F.expectColumns(out, c.expected, "degree \(c.degree) interactionOnly \(c.interactionOnly) bias \(c.includeBias)")
        }
    }

    struct GroupFile: Decodable, Sendable {
        let train: [F.ColumnSpec]
        let test: [F.ColumnSpec]
        let statistics: [String]
        let expectedTrain: F.Outputs
        let expectedTest: F.Outputs
    }

    @Test("group aggregates: pandas' groupby statistics; unseen groups get the overall statistic, count 0")
    func groups() throws {
        let file = try F.load("encoders_groups.json", as: GroupFile.self)
        let train = try F.frame(file.train), test = try F.frame(file.test)
        let step = GroupAggregates(groupBy: "region", statistics: file.statistics.map { .init(rawValue: $0)! })
        let fitted = try step.fit(train, columns: ["amount", "visits"], target: nil)
        F.expectColumns(try fitted.transform(train), file.expectedTrain, ignoring: ["region", "amount", "visits"], "groups train")
        F.expectColumns(try fitted.transform(test), file.expectedTest, ignoring: ["region"], "groups test")
    }
}
