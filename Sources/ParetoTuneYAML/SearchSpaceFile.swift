import Foundation
import ParetoCore
import ParetoTune
import Yams

/// A search-space file that could not be read: the file, the line (when the
/// problem is at a place in it), the field and what is wrong.
///
/// Printed as `space.yaml:7: field parameters[2].low: expected a number`.
public struct SearchSpaceFileError: ParetoError {
    /// What went wrong, with the field first when one is to blame.
    public let message: String
    /// The file and, where known, the 1-based line.
    public let location: InputLocation?
    /// What to do about it.
    public let hint: String?
    /// The field at fault, as a path such as `parameters[2].low`, when one is.
    public let field: String?

    init(file: String?, line: Int?, field: String?, _ problem: String, hint: String? = nil) {
        self.location = InputLocation(file: file ?? "<search space>", line: line)
        self.field = field
        self.message = (field.map { "field \($0): " } ?? "") + problem
        self.hint = hint ?? "see `pareto tune --help` and examples/gbdt-space.yaml for the format"
    }

    /// The 1-based line of the problem, when it is at a place in the file.
    public var line: Int? { location?.line }
}

extension SearchSpace {
    /// Reads a search-space file, YAML or JSON: `.yaml`/`.yml` files are
    /// YAML, `.json` files JSON; any other name is JSON when its first
    /// non-blank character is `{`, YAML otherwise.
    ///
    /// YAML spaces have the JSON format's fields (see `SearchSpace`):
    ///
    /// ```yaml
    /// parameters:
    ///   - {name: learning_rate, type: float, low: 0.01, high: 0.3, log: true}
    ///   - name: booster
    ///     type: categorical
    ///     choices: [gbdt, rf]
    ///   - {name: num_leaves, type: int, low: 8, high: 256, log: true, when: {booster: [gbdt]}}
    /// ```
    ///
    /// - Throws: `SearchSpaceFileError` naming the file, and for YAML the
    ///   line and field, of the first problem.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SearchSpaceFileError(file: path, line: nil, field: nil, "cannot read the search space",
                                       hint: "check the path given to --space")
        }
        let text = String(decoding: data, as: UTF8.self)
        let lower = path.lowercased()
        let isJSON = lower.hasSuffix(".json")
            || (!lower.hasSuffix(".yaml") && !lower.hasSuffix(".yml") && text.first(where: { !$0.isWhitespace }) == "{")
        if isJSON {
            do {
                self = try SearchSpace(json: text)
            } catch let error as TuneError {
                throw SearchSpaceFileError(file: path, line: nil, field: nil, error.message, hint: error.hint)
            }
        } else {
            self = try SearchSpace(yaml: text, file: path)
        }
    }

    /// Reads a space from YAML text; `file` only names the source in errors.
    ///
    /// Cost: one parse of the text (libyaml through Yams), then the JSON
    /// format's decoder on the same values, so a YAML file and its JSON twin
    /// give equal spaces.
    ///
    /// - Throws: `SearchSpaceFileError` with the line and field of the first problem.
    public init(yaml: String, file: String? = nil) throws {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw SearchSpaceFileError(file: file, line: nil, field: nil, "the file is empty; it needs a `parameters:` list")
            }
            root = node
        } catch let error as YamlError {
            let (line, problem) = YAMLTree.describe(error)
            throw SearchSpaceFileError(file: file, line: line, field: nil, "not valid YAML: \(problem)")
        }
        var tree = YAMLTree(file: file)
        let value = try tree.json(root, path: [])
        guard case .object(let members) = value, let list = members.first(where: { $0.0 == "parameters" })?.1 else {
            throw SearchSpaceFileError(file: file, line: root.mark?.line, field: nil, "the top level needs a `parameters:` list")
        }
        guard case .array(let items) = list else {
            throw tree.error(at: ["parameters"], "expected a list of parameters")
        }
        // Decode parameter by parameter so a failure points at its own lines.
        var parameters: [SearchSpace.Parameter] = []
        for (i, item) in items.enumerated() {
            do {
                parameters.append(try JSONDecoder().decode(SearchSpace.Parameter.self, from: Data(item.serialized().utf8)))
            } catch let error as DecodingError {
                let (inner, problem) = YAMLTree.describe(error)
                throw tree.error(at: ["parameters", .index(i)] + inner, problem)
            } catch let error as TuneError {
                throw tree.error(at: ["parameters", .index(i)], error.message, hint: error.hint)
            }
            // The space's own checks (unique names, conditions on earlier
            // parameters) name the first parameter that breaks them.
            do {
                _ = try SearchSpace(parameters)
            } catch let error as TuneError {
                throw tree.error(at: ["parameters", .index(i)], error.message, hint: error.hint)
            }
        }
        self = try SearchSpace(parameters)
    }
}

/// One step of a path into the YAML tree.
enum YAMLPathStep: Hashable, ExpressibleByStringLiteral {
    case key(String)
    case index(Int)

    init(stringLiteral value: String) { self = .key(value) }
}

/// Turns a composed YAML document into JSON values, remembering where each
/// value starts so a later error can name its line.
struct YAMLTree {
    let file: String?
    private var lines: [[YAMLPathStep]: Int] = [:]

    init(file: String?) { self.file = file }

    /// The JSON value of `node`; scalars keep the type YAML's core schema gives them.
    mutating func json(_ node: Node, path: [YAMLPathStep]) throws -> JSONValue {
        if let line = node.mark?.line { lines[path] = line }
        switch node {
        case .mapping(let mapping):
            var members: [(String, JSONValue)] = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw SearchSpaceFileError(file: file, line: key.mark?.line, field: Self.field(path),
                                               "a key must be a plain name, not a list or mapping")
                }
                members.append((scalar.string, try json(value, path: path + [.key(scalar.string)])))
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (i, item) in sequence.enumerated() { items.append(try json(item, path: path + [.index(i)])) }
            return .array(items)
        case .alias:
            throw SearchSpaceFileError(file: file, line: node.mark?.line, field: Self.field(path),
                                       "aliases (*name) are not supported in search spaces", hint: "write the value out")
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: if let i = node.int { return .int(i) }
            case .float:
                if let d = node.float {
                    guard d.isFinite else {
                        throw SearchSpaceFileError(file: file, line: node.mark?.line, field: Self.field(path),
                                                   "\(scalar.string) is not a finite number")
                    }
                    return .number(d)
                }
            default: break
            }
            return .string(scalar.string)
        }
    }

    /// An error at the value `path` names, or at the nearest enclosing value that has a line.
    func error(at path: [YAMLPathStep], _ problem: String, hint: String? = nil) -> SearchSpaceFileError {
        var prefix = path
        while lines[prefix] == nil, !prefix.isEmpty { prefix.removeLast() }
        return SearchSpaceFileError(file: file, line: lines[prefix], field: Self.field(path), problem, hint: hint)
    }

    /// `parameters[2].low`.
    static func field(_ path: [YAMLPathStep]) -> String? {
        guard !path.isEmpty else { return nil }
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let i): text += "[\(i)]"
            }
        }
        return text
    }

    /// The line and message of a Yams parse error.
    static func describe(_ error: YamlError) -> (Int?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return (mark.line, problem + (context.map { " (\($0.text))" } ?? ""))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "key(s) \(duplicates.joined(separator: ", ")) appear twice in one mapping")
        case .reader(let problem, _, _, _):
            return (nil, problem)
        default:
            return (nil, "\(error)")
        }
    }

    /// The path below a parameter and the message of a decoding error.
    static func describe(_ error: DecodingError) -> ([YAMLPathStep], String) {
        func steps(_ keys: [any CodingKey]) -> [YAMLPathStep] {
            keys.map { key in key.intValue.map(YAMLPathStep.index) ?? .key(key.stringValue) }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return (steps(context.codingPath) + [.key(key.stringValue)], "missing field \"\(key.stringValue)\"")
        case .typeMismatch(let type, let context):
            return (steps(context.codingPath), "expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return (steps(context.codingPath), "expected \(describe(type)), found nothing")
        case .dataCorrupted(let context):
            var path = steps(context.codingPath)
            // A distribution's own checks (low above high, a bad step) come
            // back keyed by "type"; they are about the whole parameter.
            if path.last == .key("type"), !context.debugDescription.hasPrefix("unknown distribution type") { path.removeLast() }
            return (path, context.debugDescription)
        @unknown default:
            return ([], "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "text"
        default: "a value of type \(type)"
        }
    }
}
