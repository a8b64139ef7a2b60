import Foundation
import Testing
import ParetoCore
@testable import ParetoTune
import ParetoTuneYAML

@Suite("search-space files: YAML and JSON")
struct SearchSpaceFileTests {
    let yaml = """
        # a comment
        parameters:
          - {name: lr, type: float, low: 0.0001, high: 0.1, log: true}
          - name: booster
            type: categorical
            choices: [gbdt, rf, 3, true, null]
          - {name: leaves, type: int, low: 8, high: 256, log: true, when: {booster: [gbdt]}}
          - {name: frac, type: float, low: 0.5, high: 1, step: 0.1}
          - {name: depth, type: int, low: 2, high: 12, step: 2}
        """
    let json = """
        {"parameters": [
          {"name": "lr", "type": "float", "low": 0.0001, "high": 0.1, "log": true},
          {"name": "booster", "type": "categorical", "choices": ["gbdt", "rf", 3, true, null]},
          {"name": "leaves", "type": "int", "low": 8, "high": 256, "log": true, "when": {"booster": ["gbdt"]}},
          {"name": "frac", "type": "float", "low": 0.5, "high": 1, "step": 0.1},
          {"name": "depth", "type": "int", "low": 2, "high": 12, "step": 2}
        ]}
        """

    func write(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pareto-space-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The error a YAML text gives.
    func failure(_ text: String) -> SearchSpaceFileError? {
        do {
            _ = try SearchSpace(yaml: text, file: "s.yaml")
            return nil
        } catch let error as SearchSpaceFileError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("a YAML space and its JSON twin decode to the same space, by extension and by content")
    func yamlEqualsJSON() throws {
        let fromJSON = try SearchSpace(json: json)
        let fromYAML = try SearchSpace(yaml: yaml)
        #expect(fromYAML == fromJSON)
        // The parts checked by hand, so equality is not of two equally wrong decodings.
        let names: [String] = fromYAML.parameters.map(\.name)
        #expect(names == ["lr", "booster", "leaves", "frac", "depth"])
        #expect(fromYAML.parameters[0].distribution == .float(try FloatDistribution(low: 0.0001, high: 0.1, log: true)))
        let choices: [String] = try #require({
            if case .categorical(let d) = fromYAML.parameters[1].distribution { return d.choices.map(\.text) }
            return nil
        }())
        #expect(choices == ["\"gbdt\"", "\"rf\"", "3", "true", "null"])
        #expect(fromYAML.parameters[2].condition?.parameter == "booster")
        #expect(fromYAML.parameters[2].condition?.values.map(\.text) == ["\"gbdt\""])
        #expect(fromYAML.parameters[3].distribution == .float(try FloatDistribution(low: 0.5, high: 1, step: 0.1)))
        #expect(fromYAML.parameters[4].distribution == .int(try IntDistribution(low: 2, high: 12, step: 2)))

        // Files: .yaml, .yml and .json by extension; an unknown extension by its first character.
        #expect(try SearchSpace(contentsOfFile: try write("s.yaml", yaml)) == fromJSON)
        #expect(try SearchSpace(contentsOfFile: try write("s.yml", yaml)) == fromJSON)
        #expect(try SearchSpace(contentsOfFile: try write("s.json", json)) == fromJSON)
        #expect(try SearchSpace(contentsOfFile: try write("s.space", yaml)) == fromJSON)
        #expect(try SearchSpace(contentsOfFile: try write("s.space", "  \n" + json)) == fromJSON)
    }

    @Test("the example space in examples/ reads and names only gbdt parameters")
    func exampleFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let space = try SearchSpace(contentsOfFile: root.appendingPathComponent("examples/gbdt-space.yaml").path)
        let names: [String] = space.parameters.map(\.name)
        #expect(names == ["learning_rate", "num_leaves", "min_data_in_leaf", "feature_fraction", "bagging_fraction", "lambda_l2", "trees"])
        #expect(space.parameters[5].distribution == .float(try FloatDistribution(low: 1e-6, high: 10, log: true)))
        #expect(space.parameters[6].distribution == .int(try IntDistribution(low: 100, high: 400, step: 50)))
    }

    @Test("a bad value names the file, its line and the field")
    func badValueNamesLine() throws {
        let error = try #require(failure("""
            parameters:
              - {name: lr, type: float, low: 0.001, high: 0.1}
              - name: leaves
                type: int
                low: eight
                high: 64
            """))
        #expect(error.line == 5)
        #expect(error.field == "parameters[1].low")
        #expect(error.description.hasPrefix("s.yaml:5: field parameters[1].low: expected an integer"))
        #expect(error.description.contains("parameters[1].low"))
    }

    @Test("missing fields, repeated names, bad conditions, bad ranges and YAML syntax errors each name their line")
    func otherErrorsNameLines() throws {
        let missing = try #require(failure("""
            parameters:
              - {name: a, type: float, low: 0, high: 1}

              - {name: b, type: int, low: 1}
            """))
        #expect(missing.line == 4)
        #expect(missing.field == "parameters[1].high")
        #expect(missing.message.contains("high"))

        let repeated = try #require(failure("""
            parameters:
              - {name: a, type: float, low: 0, high: 1}
              - {name: b, type: float, low: 0, high: 1}
              - {name: a, type: int, low: 1, high: 3}
            """))
        #expect(repeated.line == 4)
        #expect(repeated.message.contains("\"a\" appears twice"))

        let later = try #require(failure("""
            parameters:
              - {name: leaves, type: int, low: 2, high: 9, when: {booster: [gbdt]}}
              - {name: booster, type: categorical, choices: [gbdt, rf]}
            """))
        #expect(later.line == 2)
        #expect(later.message.contains("booster"))

        let empty = try #require(failure("""
            parameters:
              - {name: a, type: float, low: 0, high: 1}
              - {name: b, type: float, low: 5, high: 1}
            """))
        #expect(empty.line == 3)
        #expect(empty.field == "parameters[1]")
        #expect(empty.message.contains("parameter \"b\": the range [5.0, 1.0] is empty") || empty.message.contains("parameter \"b\": the range [5, 1] is empty"), "\(empty.message)")

        let unknownType = try #require(failure("parameters:\n  - {name: a, type: float, low: 0, high: 1}\n  - name: b\n    type: real\n"))
        #expect(unknownType.line == 4)
        #expect(unknownType.field == "parameters[1].type")

        let syntax = try #require(failure("""
            parameters:
              - {name: a, type: float, low: 0, high: 1}
              - {name: b, type: float, low: 0, high: 1
              - {name: c, type: float, low: 0, high: 1}
            """))
        #expect(syntax.line != nil)
        #expect(syntax.message.hasPrefix("not valid YAML"))

        let noList = try #require(failure("params:\n  - {name: a}\n"))
        #expect(noList.message.contains("parameters"))
        let notFinite = try #require(failure("parameters:\n  - {name: a, type: float, low: 0, high: .inf}\n"))
        #expect(notFinite.line == 2)
        #expect(notFinite.field == "parameters[0].high")
    }

    @Test("an unreadable file is named")
    func missingFile() throws {
        do {
            _ = try SearchSpace(contentsOfFile: "/nonexistent/space.yaml")
            Issue.record("no error")
        } catch let error as SearchSpaceFileError {
            #expect(error.description.hasPrefix("/nonexistent/space.yaml: "))
        }
    }
}
