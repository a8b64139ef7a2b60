import Foundation
import ParetoCore

/// One point of a single-objective study's history: a complete trial's
/// value and the best value up to and including it.
public struct HistoryPoint: Sendable, Hashable {
    /// The trial's number.
    public var number: Int
    /// The trial's value.
    public var value: Double
    /// The best value of complete trials numbered up to this one.
    public var bestSoFar: Double
}

extension Study {
    /// The complete trials no other complete trial dominates (the Pareto
    /// front), in number order; for one objective, every trial tied for best.
    ///
    /// Cost: O(objectives × complete trials²).
    public var bestTrials: [TrialRecord] {
        get throws { Study.bestTrials(try trials, directions) }
    }

    /// `bestTrials` of any list of trials.
    public static func bestTrials(_ trials: [TrialRecord], _ directions: [StudyDirection]) -> [TrialRecord] {
        let complete = trials.filter { $0.state == .complete && $0.values?.count == directions.count }
        let points = complete.map { Dominance.minimizing($0.values!, directions) }
        return complete.indices.filter { i in
            !points.indices.contains { j in j != i && Dominance.dominates(points[j], points[i]) }
        }.map { complete[$0] }
    }

    /// The optimization history of a single-objective study: each complete
    /// trial's value with the best so far (empty for several objectives).
    public var history: [HistoryPoint] {
        get throws {
            guard directions.count == 1 else { return [] }
            let minimize = directions[0] == .minimize
            var best: Double?
            var points: [HistoryPoint] = []
            for trial in try trials where trial.state == .complete {
                let v = trial.values![0]
                if best == nil || (minimize ? v < best! : v > best!) { best = v }
                points.append(HistoryPoint(number: trial.number, value: v, bestSoFar: best!))
            }
            return points
        }
    }

}

/// Writes trials as JSON or CSV for other tools (a notebook, a spreadsheet).
///
/// ```swift
/// let csv = TrialExport.csv(try study.trials)
/// try TrialExport.write(csv, to: "trials.csv")
/// ```
///
/// Both forms show parameters by their user values (numbers, choices as
/// JSON values), not internal ones. Rules: CSV quoting per RFC 4180; a
/// missing value (a parameter a conditional trial never suggested) is an
/// empty CSV cell and an absent JSON key; non-finite numbers are JSON `null`.
public enum TrialExport {
    /// One JSON object per trial, in an array: `number`, `state`, `values`,
    /// `params`, `intermediate_values`, `user_attrs`, `started_at`,
    /// `completed_at`, `duration`, `worker_id`, `retry_of`.
    public static func json(_ trials: [TrialRecord]) -> String {
        JSONValue.array(trials.map(object)).serialized()
    }

    private static func object(_ trial: TrialRecord) -> JSONValue {
        func number(_ x: Double?) -> JSONValue { x.map { .number($0) } ?? .null }
        var members: [(String, JSONValue)] = [("number", .int(trial.number)), ("state", .string(trial.state.rawValue))]
        members.append(("values", trial.values.map { .array($0.map { .number($0) }) } ?? .null))
        members.append(("params", .object(trial.parameters.keys.sorted().map { ($0, value(trial.parameters[$0]!.displayValue)) })))
        members.append(("intermediate_values", .object(trial.intermediateValues.keys.sorted().map {
            (String($0), .array(trial.intermediateValues[$0]!.map { .number($0) }))
        })))
        members.append(("user_attrs", .object(trial.userAttributes.keys.sorted().map { ($0, value(trial.userAttributes[$0]!)) })))
        members += [("started_at", number(trial.startedAt)), ("completed_at", number(trial.completedAt)),
                     ("duration", number(trial.duration)),
                     ("worker_id", trial.workerID.map { .string($0) } ?? .null),
                     ("retry_of", trial.retryOf.map { .int($0) } ?? .null)]
        return .object(members)
    }

    /// A JSON text as a `JSONValue` (object keys sorted); malformed text becomes a string.
    static func value(_ text: JSONText) -> JSONValue {
        guard let plain = try? text.decode(PlainJSON.self) else { return .string(text.text) }
        return convert(plain)
    }

    private static func convert(_ plain: PlainJSON) -> JSONValue {
        switch plain {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .number(let d): .number(d)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(convert))
        case .object(let o): .object(o.keys.sorted().map { ($0, convert(o[$0]!)) })
        }
    }

    /// One row per trial: `number`, `state`, `value` (or `value_0`, `value_1`, …
    /// for several objectives), `params_<name>` for every parameter any trial
    /// has (sorted), `user_attrs_<key>`, `started_at`, `completed_at`, `duration`.
    public static func csv(_ trials: [TrialRecord]) -> String {
        let objectives = trials.compactMap { $0.values?.count }.max() ?? 1
        let parameterNames = Set(trials.flatMap(\.parameters.keys)).sorted()
        let attributeKeys = Set(trials.flatMap(\.userAttributes.keys)).sorted()
        var header = ["number", "state"]
        header += objectives == 1 ? ["value"] : (0..<objectives).map { "value_\($0)" }
        header += parameterNames.map { "params_\($0)" } + attributeKeys.map { "user_attrs_\($0)" }
        header += ["started_at", "completed_at", "duration"]
        var lines = [header.map(quote).joined(separator: ",")]
        func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for trial in trials {
            var row = [String(trial.number), trial.state.rawValue]
            let values = trial.values ?? []
            row += (0..<objectives).map { k in number(k < values.count ? values[k] : nil) }
            row += parameterNames.map { trial.parameters[$0].map { cell($0.displayValue) } ?? "" }
            row += attributeKeys.map { trial.userAttributes[$0].map(cell) ?? "" }
            row += [number(trial.startedAt), number(trial.completedAt), number(trial.duration)]
            lines.append(row.map(quote).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON text as a CSV cell: strings without their quotes, everything else as JSON.
    private static func cell(_ text: JSONText) -> String {
        if case .string(let s)? = try? text.decode(PlainJSON.self) { return s }
        return text.text
    }

    private static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Writes `text` to `path` atomically (a temporary file, then a rename).
    public static func write(_ text: String, to path: String) throws {
        try writeFileAtomically(Array(text.utf8), to: path)
    }
}
