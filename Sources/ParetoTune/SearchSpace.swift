import Foundation
import ParetoCore

/// A search space written down instead of coded: what a configuration file
/// gives the command-line tool.
///
/// ```json
/// {"parameters": [
///   {"name": "lr", "type": "float", "low": 0.0001, "high": 0.1, "log": true},
///   {"name": "booster", "type": "categorical", "choices": ["gbdt", "rf"]},
///   {"name": "leaves", "type": "int", "low": 8, "high": 256, "log": true, "when": {"booster": ["gbdt"]}}
/// ]}
/// ```
///
/// Parameters are suggested in file order; one with `when` only when the
/// named earlier parameter took one of the listed values (a conditional
/// space). Categorical choices are plain JSON values of any shape.
public struct SearchSpace: Codable, Sendable, Hashable {
    /// One parameter of the space.
    public struct Parameter: Codable, Sendable, Hashable {
        /// The parameter's name.
        public var name: String
        /// Where its values come from.
        public var distribution: ParameterDistribution
        /// When set: the parameter exists only if the named earlier parameter
        /// took one of these values (as JSON texts).
        public var condition: (parameter: String, values: [JSONText])? {
            get { when.map { ($0.parameter, $0.values) } }
            set { when = newValue.map { Condition(parameter: $0.parameter, values: $0.values) } }
        }
        private var when: Condition?

        /// Creates a parameter, optionally conditional on an earlier one.
        public init(name: String, distribution: ParameterDistribution, when condition: (parameter: String, values: [JSONText])? = nil) {
            self.name = name
            self.distribution = distribution
            self.when = condition.map { Condition(parameter: $0.parameter, values: $0.values) }
        }

        private struct Condition: Hashable, Sendable {
            var parameter: String
            var values: [JSONText]
        }

        private enum CodingKeys: String, CodingKey { case name, type, choices, when }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            if try c.decode(String.self, forKey: .type) == "categorical" {
                let plain = try c.decode([PlainJSON].self, forKey: .choices)
                do {
                    distribution = .categorical(try CategoricalDistribution(
                        choices: try plain.map { try JSONText(encoding: $0) }, name: name))
                } catch let error as TuneError {
                    throw DecodingError.dataCorruptedError(forKey: .choices, in: c, debugDescription: error.description)
                }
            } else {
                distribution = try ParameterDistribution(decoding: decoder, name: name)
            }
            if let condition = try c.decodeIfPresent([String: [PlainJSON]].self, forKey: .when) {
                guard condition.count == 1, let (parameter, values) = condition.first else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .when, in: c,
                        debugDescription: "parameter \"\(name)\": \"when\" names exactly one earlier parameter")
                }
                when = Condition(parameter: parameter, values: try values.map { try JSONText(encoding: $0) })
            }
        }

        public func encode(to encoder: any Encoder) throws {
            try distribution.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            if case .categorical(let d) = distribution {
                try c.encode(try d.choices.map { try $0.decode(PlainJSON.self) }, forKey: .choices)
            }
            if let when {
                try c.encode([when.parameter: try when.values.map { try $0.decode(PlainJSON.self) }], forKey: .when)
            }
        }
    }

    /// The parameters, in the order they are suggested.
    public var parameters: [Parameter]

    /// Creates a space; checks that names are unique and conditions refer to earlier parameters.
    public init(_ parameters: [Parameter]) throws {
        self.parameters = parameters
        try validate()
    }

    /// Reads a space from JSON text (see the type's summary for the format).
    ///
    /// - Throws: `.invalidSearchSpace` naming what is wrong.
    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(SearchSpace.self, from: Data(json.utf8))
        } catch let error as TuneError {
            throw error
        } catch {
            throw TuneError(.invalidSearchSpace, "the search space is not valid: \(error)",
                            hint: "see SearchSpace's documentation for the format")
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parameters = try c.decode([Parameter].self, forKey: .parameters)
        try validate()
    }

    private enum CodingKeys: String, CodingKey { case parameters }

    private func validate() throws {
        var seen: Set<String> = []
        for parameter in parameters {
            if let condition = parameter.condition, !seen.contains(condition.parameter) {
                throw TuneError(.invalidSearchSpace,
                                "parameter \"\(parameter.name)\" depends on \"\(condition.parameter)\", which is not an earlier parameter",
                                hint: "list the parameter a condition names before the conditional one")
            }
            guard seen.insert(parameter.name).inserted else {
                throw TuneError(.invalidSearchSpace, "parameter \"\(parameter.name)\" appears twice in the search space")
            }
        }
    }

    /// Suggests every active parameter in `trial` and returns the values as JSON texts.
    public func suggest(in trial: Trial) throws -> [String: JSONText] {
        var values: [String: JSONText] = [:]
        for parameter in parameters {
            if let condition = parameter.condition {
                guard let chosen = values[condition.parameter], condition.values.contains(chosen) else { continue }
            }
            let internalValue = try trial.suggest(parameter.name, parameter.distribution)
            values[parameter.name] = parameter.distribution.externalValue(internalValue)
        }
        return values
    }
}

/// Any JSON value, decoded and re-encoded as is: the plain choices of a search-space file.
enum PlainJSON: Codable, Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([PlainJSON])
    case object([String: PlainJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([PlainJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: PlainJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONText {
    /// Scalars go through the fast canonical path so a file's `"gbdt"`
    /// equals the code's `suggestCategorical("booster", ["gbdt", …])`.
    init(encoding plain: PlainJSON) throws {
        switch plain {
        case .string(let s): try self.init(encoding: s)
        case .int(let i): try self.init(encoding: i)
        case .bool(let b): try self.init(encoding: b)
        case .number(let d): try self.init(encoding: d)
        case .null: self.init(raw: "null")
        case .array, .object:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            self.init(raw: String(decoding: try encoder.encode(plain), as: UTF8.self))
        }
    }
}
