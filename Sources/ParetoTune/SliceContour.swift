import ParetoCore

/// The data behind slice and contour plots of a study: for each parameter,
/// how the objective varied with it; for each pair, the objective at the
/// pair's values. Plot it with any tool (`pareto study export --format
/// analysis` writes it as JSON).
///
/// ```swift
/// let slices = StudyPlots.slices(try study.trials)          // ["lr": [(value, objective), …], …]
/// let contours = StudyPlots.contours(try study.trials)      // one entry per parameter pair
/// ```
///
/// Rules: only complete trials with a value for the chosen objective count;
/// a trial that never suggested a parameter (a conditional space) is left
/// out of that parameter's slice and of its pairs. Values are the user's
/// values (numbers, or a category's JSON value); points are in trial order.
/// Raw points, not an interpolated grid: an interpolation would invent
/// values between trials, and a plotting tool can grid them its own way.
/// Cost: O(complete trials × parameters²) for the contours.
public enum StudyPlots {
    /// One trial's point in a slice.
    public struct SlicePoint: Sendable, Hashable {
        /// The trial's number.
        public var trial: Int
        /// The parameter's value in the trial (a number, or a category's JSON value).
        public var value: JSONText
        /// The objective's value.
        public var objective: Double
    }

    /// One parameter's slice.
    public struct Slice: Sendable, Hashable {
        /// The parameter's name.
        public var parameter: String
        /// Whether its axis is best drawn on a log scale (a log distribution).
        public var log: Bool
        /// Whether its values are categories rather than numbers.
        public var categorical: Bool
        /// The points, in trial order.
        public var points: [SlicePoint]
    }

    /// One trial's point in a contour.
    public struct ContourPoint: Sendable, Hashable {
        /// The trial's number.
        public var trial: Int
        /// The first parameter's value.
        public var x: JSONText
        /// The second parameter's value.
        public var y: JSONText
        /// The objective's value.
        public var objective: Double
    }

    /// One pair of parameters, `x` before `y` in name order.
    public struct Contour: Sendable, Hashable {
        /// The first parameter (in name order).
        public var x: String
        /// The second parameter.
        public var y: String
        /// The trials that have both, in trial order.
        public var points: [ContourPoint]
    }

    /// The complete trials with a value for `objective`, in number order.
    private static func scored(_ trials: [TrialRecord], _ objective: Int) -> [(TrialRecord, Double)] {
        trials.compactMap { trial in
            guard trial.state == .complete, let values = trial.values, values.indices.contains(objective) else { return nil }
            return (trial, values[objective])
        }
    }

    /// One slice per parameter any complete trial has, in name order.
    public static func slices(_ trials: [TrialRecord], objective: Int = 0) -> [Slice] {
        let rows = scored(trials, objective)
        let names = Set(rows.flatMap { $0.0.parameters.keys }).sorted()
        return names.map { name in
            var points: [SlicePoint] = []
            var log = false, categorical = false
            for (trial, value) in rows {
                guard let parameter = trial.parameters[name] else { continue }
                switch parameter.distribution {
                case .float(let d): log = log || d.log
                case .int(let d): log = log || d.log
                case .categorical: categorical = true
                }
                points.append(SlicePoint(trial: trial.number, value: parameter.displayValue, objective: value))
            }
            return Slice(parameter: name, log: log, categorical: categorical, points: points)
        }
    }

    /// One contour per pair of parameters that some complete trial has
    /// both of, pairs in name order (`a`/`b` before `a`/`c` before `b`/`c`).
    public static func contours(_ trials: [TrialRecord], objective: Int = 0) -> [Contour] {
        let rows = scored(trials, objective)
        let names = Set(rows.flatMap { $0.0.parameters.keys }).sorted()
        var result: [Contour] = []
        for i in names.indices {
            for j in (i + 1)..<names.count {
                var points: [ContourPoint] = []
                for (trial, value) in rows {
                    guard let x = trial.parameters[names[i]], let y = trial.parameters[names[j]] else { continue }
                    points.append(ContourPoint(trial: trial.number, x: x.displayValue, y: y.displayValue, objective: value))
                }
                if !points.isEmpty { result.append(Contour(x: names[i], y: names[j], points: points)) }
            }
        }
        return result
    }

    /// Slices, contours, the history and the best trials of `trials` as one
    /// JSON object: `{"directions", "objective", "best_trials", "history":
    /// [{"trial","value","best_so_far"}], "validation_trials", "slices":
    /// [{"parameter","log","categorical","points":[{"trial","value","objective"}]}],
    /// "contours": [{"x","y","points":[{"trial","x","y","objective"}]}],
    /// "importance": [{"parameter","importance"}]}` (fANOVA, largest first;
    /// see `ParameterImportance`). Cost: dominated by the importance forest.
    public static func json(_ trials: [TrialRecord], directions: [StudyDirection], objective: Int = 0) -> String {
        func number(_ x: Double) -> JSONValue { .number(x) }
        let best = Study.bestTrials(trials, directions).map { JSONValue.int($0.number) }
        var history: [JSONValue] = []
        if directions.indices.contains(objective) {
            let minimize = directions[objective] == .minimize
            var bestSoFar: Double?
            for (trial, value) in scored(trials, objective) {
                if bestSoFar == nil || (minimize ? value < bestSoFar! : value > bestSoFar!) { bestSoFar = value }
                history.append(.object([("trial", .int(trial.number)), ("value", number(value)), ("best_so_far", number(bestSoFar!))]))
            }
        }
        let slices = slices(trials, objective: objective).map { slice in
            JSONValue.object([
                ("parameter", .string(slice.parameter)), ("log", .bool(slice.log)), ("categorical", .bool(slice.categorical)),
                ("points", .array(slice.points.map { .object([("trial", .int($0.trial)), ("value", TrialExport.value($0.value)),
                                                              ("objective", number($0.objective))]) })),
            ])
        }
        let contours = contours(trials, objective: objective).map { contour in
            JSONValue.object([
                ("x", .string(contour.x)), ("y", .string(contour.y)),
                ("points", .array(contour.points.map { .object([("trial", .int($0.trial)), ("x", TrialExport.value($0.x)),
                                                                ("y", TrialExport.value($0.y)), ("objective", number($0.objective))]) })),
            ])
        }
        // fANOVA importance; none (an empty list) before two complete trials.
        let ranking = (try? ParameterImportance().evaluate(trials, objective: objective)) ?? []
        let importance = ranking.map { JSONValue.object([("parameter", .string($0.name)), ("importance", number($0.importance))]) }
        return JSONValue.object([
            ("directions", .array(directions.map { .string($0.rawValue) })), ("objective", .int(objective)),
            ("best_trials", .array(best)), ("validation_trials", .int(Study.validationTrialCount(trials))),
            ("history", .array(history)), ("slices", .array(slices)), ("contours", .array(contours)),
            ("importance", .array(importance)),
        ]).serialized()
    }
}
