#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore
import ParetoData
import ParetoEval
import ParetoFeatures
import ParetoLinear
import ParetoNeural
import ParetoTrees

// The per-family parts of `BundleRowPredictor`: each bundled model compiled
// into a scorer that reads one row's cells and writes the model's
// predictions (probabilities per class in the model's class order, or the
// value) into a caller-owned buffer, computing exactly what the model's
// `predict(frame)` computes for a one-row table (the same operations in
// the same order, so the results agree bit for bit).

/// One row's cells, by schema position: `numbers` holds numeric values
/// (booleans 0/1, date-times in microseconds; NaN when missing), `levels`
/// a categorical cell's index in its column's vocabulary (−1 missing, −2 a
/// level no model knows).
struct BundleRowCells {
    let numbers: UnsafeMutablePointer<Double>
    let levels: UnsafeMutablePointer<Int32>
}

/// A compiled model: a pipeline stage (`encode`: cells → the model's
/// inputs in its own scratch) and a model stage (`score`: those inputs →
/// predictions); `predict` runs both, fused where that saves work.
protocol BundleRowScorer: AnyObject {
    /// The labels of the outputs (empty for regression).
    var classLabels: [String] { get }
    /// Outputs per row: the class count, or 1.
    var outputCount: Int { get }
    /// Whether `predict` runs without heap allocation.
    var allocationFree: Bool { get }
    /// Why not, when it does not.
    var fallbackReasons: [String] { get }
    /// The pipeline stage alone.
    func encode(_ row: BundleRowCells) throws
    /// The model stage alone, on the last encoded row.
    func score(into out: UnsafeMutablePointer<Double>) throws
    /// Both stages.
    func predict(_ row: BundleRowCells, into out: UnsafeMutablePointer<Double>) throws
}

extension BundleRowScorer {
    func predict(_ row: BundleRowCells, into out: UnsafeMutablePointer<Double>) throws {
        try encode(row)
        try score(into: out)
    }
}

/// What a compiled scorer needs to know about the bundle's input columns.
struct BundleRowContext {
    let schema: [BundleColumn]
    let positions: [String: Int]
    /// Per schema column: the vocabulary of a categorical column.
    let vocabularies: [BundleLevelTable?]
    /// Builds the one-row table of the current cells (the fallback path).
    let frame: () throws -> DataFrame
}

// MARK: - Prior

/// The class prior or the mean: a constant.
final class PriorRowScorer: BundleRowScorer {
    let classLabels: [String]
    let constant: [Double]
    var outputCount: Int { constant.count }
    var allocationFree: Bool { true }
    var fallbackReasons: [String] { [] }

    init(_ model: DummyLearner.Model) {
        classLabels = model.task == .regression ? [] : model.classLabels
        constant = model.constant
    }

    func encode(_ row: BundleRowCells) throws {}

    func score(into out: UnsafeMutablePointer<Double>) throws {
        for c in constant.indices { out[c] = constant[c] }
    }
}

// MARK: - Trees

/// A tree ensemble on raw values: numbers as they are, categories as their
/// training bin (missing and unseen levels: bin 0), as
/// `TabularTreeModel.rawValues` prepares them.
final class TreeRowScorer: BundleRowScorer {
    private enum Transform { case identity, sigmoid, softmax, exponential }

    let classLabels: [String]
    let outputCount: Int
    var allocationFree: Bool { true }
    var fallbackReasons: [String] { [] }
    private let model: GradientBoostedTrees
    /// The model flattened for prediction (built once with the predictor).
    private let compiled: CompiledEnsemble
    private let binary: Bool
    private let transform: Transform
    /// Per model feature: its schema position, and for a categorical one
    /// the bin of each vocabulary index (empty for numbers).
    private let sources: [Int]
    private let bins: [[Double]]
    private let raw: UnsafeMutablePointer<Double>
    private let scores: UnsafeMutablePointer<Double>
    private let featureCount: Int
    private let rawCount: Int

    init(_ tabular: TabularTreeModel, _ context: BundleRowContext) throws {
        model = tabular.model
        compiled = CompiledEnsemble(tabular.model)
        binary = tabular.task == .binary
        classLabels = tabular.task == .regression ? [] : tabular.classLabels
        rawCount = model.outputCount
        outputCount = binary ? 2 : rawCount
        featureCount = model.featureNames.count
        var sources: [Int] = [], bins: [[Double]] = []
        for (name, binning) in zip(model.featureNames, model.binning) {
            guard let s = context.positions[name] else {
                throw UsageError("the data has no column \"\(name)\", which the model needs",
                                 hint: "pass a file with the training columns (the target may be left out)")
            }
            let kind = context.schema[s].kind
            var isCategorical = false
            if case .categorical = binning { isCategorical = true }
            guard (kind == .categorical) == isCategorical, kind != .text else {
                throw UsageError("column \"\(name)\" is \(kind.rawValue), but it was binned as "
                                 + (isCategorical ? "categorical" : "numeric"),
                                 hint: "use the same column types as in training")
            }
            sources.append(s)
            if case .categorical(let levels, let binOfLevel) = binning, let vocabulary = context.vocabularies[s] {
                bins.append(vocabulary.levels.map { level in levels.firstIndex(of: level).map { Double(binOfLevel[$0]) } ?? 0 })
            } else {
                bins.append([])
            }
        }
        self.sources = sources
        self.bins = bins
        switch model.objective {
        case nil, .regression?, .l1?, .huber?, .quantile?: transform = .identity
        case .binary?, .focal?: transform = .sigmoid
        case .multiclass?: transform = .softmax
        case .poisson?: transform = .exponential
        }
        raw = .allocate(capacity: max(1, featureCount))
        scores = .allocate(capacity: max(1, rawCount))
    }

    deinit {
        raw.deallocate()
        scores.deallocate()
    }

    func encode(_ row: BundleRowCells) throws {
        for j in 0..<featureCount {
            let s = sources[j]
            bins[j].withUnsafeBufferPointer { table in
                if table.isEmpty {
                    raw[j] = row.numbers[s]
                } else {
                    let code = Int(row.levels[s])
                    raw[j] = code >= 0 ? table[code] : 0
                }
            }
        }
    }

    func score(into out: UnsafeMutablePointer<Double>) throws {
        let values = UnsafeBufferPointer(start: raw, count: featureCount)
        // The compiled ensemble's allocation-free one-row walk: the same sum order (initial
        // score, then the trees in order) as the frame path, so the same bits.
        compiled.rawScores(row: values, into: UnsafeMutableBufferPointer(start: scores, count: rawCount))
        switch transform {
        case .identity:
            for c in 0..<rawCount { out[c] = scores[c] }
        case .sigmoid:
            // As the binary objectives' transform, then [1 − p, p] as TabularTreeModel.predict.
            let p = 1 / (1 + exp(-scores[0]))
            out[0] = 1 - p
            out[1] = p
            return
        case .exponential:
            out[0] = exp(scores[0])
        case .softmax:
            var largest = scores[0]
            for c in 1..<max(1, rawCount) where largest < scores[c] { largest = scores[c] }
            var sum = 0.0
            for c in 0..<rawCount {
                out[c] = exp(scores[c] - largest)
                sum += out[c]
            }
            for c in 0..<rawCount { out[c] = out[c] / sum }
        }
        if binary {  // a binary model with a non-sigmoid objective: the frame path still pairs it
            let p = out[0]
            out[0] = 1 - p
            out[1] = p
        }
    }
}

// MARK: - Linear and logistic behind the linear preprocessing

/// A linear, logistic or multinomial logistic model behind its fitted
/// pipeline of imputation, standardization and one-hot encoding, compiled
/// into terms in the model's feature order: a numeric term computes its
/// feature as the pipeline does (fill, indicator, then each scaling); a
/// one-hot group adds the coefficient of the row's one output column
/// (the others are zeros, whose products add nothing), so no one-hot row
/// is ever built. Sums run in feature order as `LinearModel.predict` runs
/// them, so the results equal the frame path's bit for bit.
final class LinearRowScorer: BundleRowScorer {
    /// What a pipeline output column is, in terms of the row's cells.
    private enum Expression {
        case number(source: Int, fill: Double?, indicator: Bool, scalings: [(mean: Double, scale: Double)])
        case category(source: Int)
        case boolean(source: Int)
        case oneHot(encoding: Int, output: Int)
    }

    private enum Term {
        /// A numeric feature (column `column` of the design).
        case number(source: Int, column: Int, fill: Double?, indicator: Bool, scalings: [(mean: Double, scale: Double)])
        /// A boolean passed through as 0/1.
        case boolean(source: Int, column: Int)
        /// One-hot columns of one encoding: per vocabulary index (or per
        /// false/true for a boolean source) the design column that gets the
        /// 1, −1 for none, −2 for an error; then missing and unseen.
        case oneHot(source: Int, isBoolean: Bool, table: [Int32], missing: Int32, unseen: Int32, name: String,
                    columns: Range<Int>)
    }

    private enum Kind { case regression, binary, multinomial }

    let classLabels: [String]
    let outputCount: Int
    var allocationFree: Bool { true }
    var fallbackReasons: [String] { [] }
    private let kind: Kind
    private let terms: [Term]
    private let schemaNames: [String]
    /// Coefficients, output-major: output m, design column j at m × columns + j.
    private let coefficients: [Double]
    private let intercepts: [Double]
    private let columns: Int
    private let etas: UnsafeMutablePointer<Double>
    private let design: UnsafeMutablePointer<Double>

    /// The compiled model, or nil when its pipeline holds a step this
    /// compiler does not know (the caller falls back to the frame path).
    init?(pipeline: FittedPipeline, model: LinearTabularModel, _ context: BundleRowContext) {
        var expressions: [String: Expression] = [:]
        for (s, column) in context.schema.enumerated() {
            switch column.kind {
            case .numeric: expressions[column.name] = .number(source: s, fill: nil, indicator: false, scalings: [])
            case .categorical: expressions[column.name] = .category(source: s)
            case .boolean: expressions[column.name] = .boolean(source: s)
            default: break
            }
        }
        var encodings: [OneHotEncoder.FeatureEncoding] = []
        var encodingSources: [(source: Int, isBoolean: Bool)] = []
        for step in pipeline.steps {
            let base = step.transform.base
            if let dates = base as? DateParts.Fitted {
                guard dates.columns.isEmpty else { return nil }
            } else if let imputer = base as? SimpleImputer.Fitted {
                guard imputer.indicatorColumns.isEmpty || imputer.indicatorValues == .number else { return nil }
                for (name, fill) in zip(imputer.columns, imputer.fills) {
                    guard case .number(let source, nil, false, let scalings)? = expressions[name], scalings.isEmpty,
                          case .number(let value) = fill else { return nil }
                    expressions[name] = .number(source: source, fill: value, indicator: false, scalings: [])
                    if imputer.indicatorColumns.contains(name) {
                        expressions[name + "_missing"] = .number(source: source, fill: nil, indicator: true, scalings: [])
                    }
                }
            } else if let scaler = base as? StandardScaler.Fitted {
                for (j, name) in scaler.columns.enumerated() {
                    guard case .number(let source, let fill, let indicator, let scalings)? = expressions[name] else {
                        return nil
                    }
                    expressions[name] = .number(source: source, fill: fill, indicator: indicator,
                                                scalings: scalings + [(scaler.means[j], scaler.scales[j])])
                }
            } else if let oneHot = base as? OneHotEncoder.Fitted {
                for feature in oneHot.features {
                    let source: Int, isBoolean: Bool
                    switch expressions[feature.column] {
                    case .category(let s)?: (source, isBoolean) = (s, false)
                    case .boolean(let s)?: (source, isBoolean) = (s, true)
                    default: return nil
                    }
                    expressions[feature.column] = nil
                    for k in feature.outputNames.indices {
                        expressions[feature.outputNames[k]] = .oneHot(encoding: encodings.count, output: k)
                    }
                    encodings.append(feature)
                    encodingSources.append((source, isBoolean))
                }
            } else {
                return nil
            }
        }

        // Terms in design order; a one-hot group becomes one term at its first column.
        let featureNames = model.featureNames
        var terms: [Term] = []
        var groupColumns: [Int: [Int]] = [:]  // encoding → its design columns
        var groupOrder: [Int] = []
        for (j, name) in featureNames.enumerated() {
            switch expressions[name] {
            case .number(let source, let fill, let indicator, let scalings)?:
                terms.append(.number(source: source, column: j, fill: fill, indicator: indicator, scalings: scalings))
            case .boolean(let source)?:
                terms.append(.boolean(source: source, column: j))
            case .oneHot(let e, _)?:
                if groupColumns[e] == nil {
                    groupOrder.append(e)
                    terms.append(.oneHot(source: e, isBoolean: false, table: [], missing: -1, unseen: -1, name: "",
                                         columns: j..<j))  // a placeholder, filled below
                }
                groupColumns[e, default: []].append(j)
            default:
                return nil  // a feature the compiled path cannot make: the frame path gives its error
            }
        }
        for (t, term) in terms.enumerated() {
            guard case .oneHot(let e, _, _, _, _, _, _) = term else { continue }
            let design = groupColumns[e]!
            // Contiguous columns, so that adding the one hot coefficient at the
            // group's place keeps the frame path's order of additions.
            guard design.last! - design.first! + 1 == design.count else { return nil }
            let encoding = encodings[e]
            var columnOfOutput = [Int32](repeating: -1, count: encoding.outputNames.count)
            for (j, name) in featureNames.enumerated() {
                if case .oneHot(e, let k)? = expressions[name] { columnOfOutput[k] = Int32(j) }
            }
            func code(_ destination: OneHotEncoder.Destination) -> Int32 {
                switch destination {
                case .output(let k): columnOfOutput[k]
                case .zeros: -1
                case .error: -2
                }
            }
            let unseen = code(encoding.unknown)
            func destination(ofLevel level: String) -> Int32 {
                encoding.levels.firstIndex(of: level).map { code(encoding.destinations[$0]) } ?? unseen
            }
            let (source, isBoolean) = encodingSources[e]
            let table: [Int32] = isBoolean ? ["false", "true"].map(destination(ofLevel:))
                : (context.vocabularies[source]?.levels ?? []).map(destination(ofLevel:))
            terms[t] = .oneHot(source: source, isBoolean: isBoolean, table: table, missing: code(encoding.missing),
                               unseen: unseen, name: encoding.column, columns: design.first!..<(design.last! + 1))
        }
        self.terms = terms
        schemaNames = context.schema.map(\.name)
        columns = featureNames.count
        switch model.fitted {
        case .regression(let m):
            kind = .regression
            coefficients = m.coefficients
            intercepts = [m.intercept]
        case .binary(let m):
            kind = .binary
            coefficients = m.coefficients
            intercepts = [m.intercept]
        case .multinomial(let m):
            kind = .multinomial
            coefficients = m.coefficients.flatMap { $0 }
            intercepts = m.intercepts
        }
        guard coefficients.count == intercepts.count * columns else { return nil }
        classLabels = model.task == .regression ? [] : model.classLabels
        outputCount = kind == .binary ? 2 : intercepts.count
        etas = .allocate(capacity: max(1, intercepts.count))
        design = .allocate(capacity: max(1, columns))
    }

    deinit {
        etas.deallocate()
        design.deallocate()
    }

    /// A numeric term's feature value, as imputation and scaling compute it.
    @inline(__always)
    private func value(_ row: BundleRowCells, source: Int, fill: Double?, indicator: Bool,
                       scalings: [(mean: Double, scale: Double)]) throws -> Double {
        let input = row.numbers[source]
        // The pipeline's steps refuse infinity (and without them the design
        // matrix does): an error naming the column either way.
        if input.isInfinite {
            throw UsageError("column \"\(nameOf(source))\" holds \(input > 0 ? "+" : "-")infinity in row 1",
                             hint: "replace infinite values (for example with a missing value) before this step")
        }
        var x: Double
        if indicator {
            x = input.isNaN ? 1 : 0
        } else if input.isNaN {
            guard let fill else {
                throw UsageError("column \"\(nameOf(source))\" has a missing value at row 1",
                                 hint: "linear models need numbers without missing values: preprocess with Pipeline.linearPreprocessing()")
            }
            x = fill
        } else {
            x = input
        }
        for scaling in scalings {
            let scaled = (x - scaling.mean) / scaling.scale
            if scaled.isInfinite && x.isFinite {
                throw UsageError("column \"\(nameOf(source))\" value \(x) in row 1 becomes infinite under the fitted standard_scaler",
                                 hint: "the value lies far beyond the training values; clip it, or refit on rows that cover it")
            }
            x = scaled
        }
        return x
    }

    @inline(__always)
    private func nameOf(_ source: Int) -> String { schemaNames[source] }

    /// The design column that gets the one-hot 1, or −1.
    @inline(__always)
    private func hotColumn(_ row: BundleRowCells, source: Int, isBoolean: Bool, table: [Int32], missing: Int32,
                           unseen: Int32, name: String) throws -> Int32 {
        let destination: Int32
        if isBoolean {
            let v = row.numbers[source]
            destination = v.isNaN ? missing : table[v != 0 ? 1 : 0]
        } else {
            let code = row.levels[source]
            destination = code == -1 ? missing : code < 0 ? unseen : table[Int(code)]
        }
        if destination == -2 {
            throw UsageError("column \"\(name)\" has a value in row 1 that was not seen in training",
                             hint: "fit on rows that include it, or set unknown to .ignore or .infrequent")
        }
        return destination
    }

    func encode(_ row: BundleRowCells) throws {
        for term in terms {
            switch term {
            case .number(let source, let column, let fill, let indicator, let scalings):
                design[column] = try value(row, source: source, fill: fill, indicator: indicator, scalings: scalings)
            case .boolean(let source, let column):
                let v = row.numbers[source]
                guard !v.isNaN else {
                    throw UsageError("column \"\(nameOf(source))\" has a missing value at row 1",
                                     hint: "linear models need numbers without missing values: preprocess with Pipeline.linearPreprocessing()")
                }
                design[column] = v
            case .oneHot(let source, let isBoolean, let table, let missing, let unseen, let name, let columns):
                for j in columns { design[j] = 0 }
                let hot = try hotColumn(row, source: source, isBoolean: isBoolean, table: table, missing: missing,
                                        unseen: unseen, name: name)
                if hot >= 0 { design[Int(hot)] = 1 }
            }
        }
    }

    func score(into out: UnsafeMutablePointer<Double>) throws {
        let k = intercepts.count
        coefficients.withUnsafeBufferPointer { c in
            for m in 0..<k {
                var sum = intercepts[m]
                for j in 0..<columns { sum += design[j] * c[m * columns + j] }
                etas[m] = sum
            }
        }
        finish(into: out)
    }

    func predict(_ row: BundleRowCells, into out: UnsafeMutablePointer<Double>) throws {
        let k = intercepts.count
        for m in 0..<k { etas[m] = intercepts[m] }
        try coefficients.withUnsafeBufferPointer { c in
            for term in terms {
                switch term {
                case .number(let source, let column, let fill, let indicator, let scalings):
                    let x = try value(row, source: source, fill: fill, indicator: indicator, scalings: scalings)
                    for m in 0..<k { etas[m] += x * c[m * columns + column] }
                case .boolean(let source, let column):
                    let x = row.numbers[source]
                    guard !x.isNaN else {
                        throw UsageError("column \"\(nameOf(source))\" has a missing value at row 1",
                                         hint: "linear models need numbers without missing values: preprocess with Pipeline.linearPreprocessing()")
                    }
                    for m in 0..<k { etas[m] += x * c[m * columns + column] }
                case .oneHot(let source, let isBoolean, let table, let missing, let unseen, let name, _):
                    let hot = try hotColumn(row, source: source, isBoolean: isBoolean, table: table, missing: missing,
                                            unseen: unseen, name: name)
                    // 1 × coefficient is the coefficient; the group's zeros add nothing.
                    if hot >= 0 { for m in 0..<k { etas[m] += c[m * columns + Int(hot)] } }
                }
            }
        }
        finish(into: out)
    }

    /// The link: identity, the logistic curve (as ParetoLinear computes it,
    /// on the side that cannot overflow) or the softmax.
    @inline(__always)
    private func finish(into out: UnsafeMutablePointer<Double>) {
        switch kind {
        case .regression:
            out[0] = etas[0]
        case .binary:
            let t = etas[0]
            let p: Double
            if t >= 0 {
                p = 1 / (1 + exp(-t))
            } else {
                let e = exp(t)
                p = e / (1 + e)
            }
            out[0] = 1 - p
            out[1] = p
        case .multinomial:
            let k = intercepts.count
            var top = -Double.infinity
            for m in 0..<k { top = max(top, etas[m]) }
            var sum = 0.0
            for m in 0..<k {
                out[m] = exp(etas[m] - top)
                sum += out[m]
            }
            for m in 0..<k { out[m] /= sum }
        }
    }
}

// MARK: - Blend

/// The weighted average of the members' outputs, classes matched by label
/// as `BundledModel.blend` matches them.
final class BlendRowScorer: BundleRowScorer {
    let classLabels: [String]
    let outputCount: Int
    private let members: [any BundleRowScorer]
    private let weights: [Double]
    /// Per member after the first: the member's output for each blended output (−1: none).
    private let sourceColumns: [[Int]]
    private let scratch: [UnsafeMutablePointer<Double>]
    var allocationFree: Bool { members.allSatisfy(\.allocationFree) }
    var fallbackReasons: [String] { members.flatMap(\.fallbackReasons) }

    init(members: [any BundleRowScorer], weights: [Double], regression: Bool) throws {
        guard let first = members.first, members.count == weights.count else {
            throw UsageError("a blend needs one weight per member and at least one member")
        }
        self.members = members
        self.weights = weights
        classLabels = first.classLabels
        outputCount = first.outputCount
        sourceColumns = members.map { member in
            regression ? [0] : first.classLabels.map { member.classLabels.firstIndex(of: $0) ?? -1 }
        }
        scratch = members.map { .allocate(capacity: max(1, $0.outputCount)) }
    }

    deinit { for buffer in scratch { buffer.deallocate() } }

    func encode(_ row: BundleRowCells) throws {
        for member in members { try member.encode(row) }
    }

    func score(into out: UnsafeMutablePointer<Double>) throws {
        for (i, member) in members.enumerated() { try member.score(into: i == 0 ? out : scratch[i]) }
        combine(out)
    }

    func predict(_ row: BundleRowCells, into out: UnsafeMutablePointer<Double>) throws {
        for (i, member) in members.enumerated() { try member.predict(row, into: i == 0 ? out : scratch[i]) }
        combine(out)
    }

    private func combine(_ out: UnsafeMutablePointer<Double>) {
        for c in 0..<outputCount { out[c] = out[c] * weights[0] }
        for i in 1..<members.count {
            let weight = weights[i], values = scratch[i]
            sourceColumns[i].withUnsafeBufferPointer { columns in
                for c in 0..<columns.count where columns[c] >= 0 { out[c] += weight * values[columns[c]] }
            }
        }
    }
}

// MARK: - Fallback

/// A model the row path does not compile (networks, pipelines with other
/// steps): the current cells as a one-row table through the model's own
/// `predict`. Correct, but it allocates.
final class FrameRowScorer: BundleRowScorer {
    let classLabels: [String]
    let outputCount: Int
    var allocationFree: Bool { false }
    let fallbackReasons: [String]
    private let model: BundledModel
    private let frame: () throws -> DataFrame
    private var encoded: DataFrame?

    init(_ model: BundledModel, classLabels: [String], reason: String, _ context: BundleRowContext) {
        self.model = model
        self.classLabels = model.task == .regression ? [] : classLabels
        outputCount = model.task == .regression ? 1 : classLabels.count
        fallbackReasons = [reason]
        frame = context.frame
    }

    func encode(_ row: BundleRowCells) throws { encoded = try frame() }

    func score(into out: UnsafeMutablePointer<Double>) throws {
        let predictions = try model.predict(try encoded ?? frame(), threads: 1)
        guard let values = predictions.values.first, values.count == outputCount else {
            throw UsageError("the model returned \(predictions.values.first?.count ?? 0) outputs for a row, not \(outputCount)")
        }
        for c in 0..<outputCount { out[c] = values[c] }
    }
}

extension BundledModel {
    /// The model's class labels (empty for regression).
    var rowClassLabels: [String] {
        switch self {
        case .prior(let m): m.classLabels
        case .trees(let m): m.classLabels
        case .linear(let m): m.base.classLabels
        case .logistic(let m): m.base.classLabels
        case .mlp(let m): m.classLabels
        case .blend(let members, _): members.first?.rowClassLabels ?? []
        }
    }

    /// Every categorical level any part of the model knows, per column name.
    func collectLevels(into levels: inout [String: [String]]) {
        func add(_ column: String, _ values: [String]) { levels[column, default: []].append(contentsOf: values) }
        switch self {
        case .prior: break
        case .trees(let m):
            for (name, binning) in zip(m.model.featureNames, m.model.binning) {
                if case .categorical(let values, _) = binning { add(name, values) }
            }
        case .linear(let m): Self.collectLevels(m.pipeline, into: &levels)
        case .logistic(let m): Self.collectLevels(m.pipeline, into: &levels)
        case .mlp(let m):
            for feature in m.encoding.features {
                if case .categorical(let name, let values, _) = feature { add(name, values) }
            }
        case .blend(let members, _): for member in members { member.collectLevels(into: &levels) }
        }
    }

    private static func collectLevels(_ pipeline: FittedPipeline, into levels: inout [String: [String]]) {
        for step in pipeline.steps {
            if let oneHot = step.transform.base as? OneHotEncoder.Fitted {
                for feature in oneHot.features { levels[feature.column, default: []].append(contentsOf: feature.levels) }
            }
        }
    }

    /// The compiled scorer of this model.
    func rowScorer(_ context: BundleRowContext) throws -> any BundleRowScorer {
        switch self {
        case .prior(let m):
            return PriorRowScorer(m)
        case .trees(let m):
            return try TreeRowScorer(m, context)
        case .linear(let m):
            if let compiled = LinearRowScorer(pipeline: m.pipeline, model: m.base, context) { return compiled }
            return FrameRowScorer(self, classLabels: rowClassLabels,
                                  reason: "linear: the pipeline holds a step the row path does not compile", context)
        case .logistic(let m):
            if let compiled = LinearRowScorer(pipeline: m.pipeline, model: m.base, context) { return compiled }
            return FrameRowScorer(self, classLabels: rowClassLabels,
                                  reason: "logistic: the pipeline holds a step the row path does not compile", context)
        case .mlp(let m):
            return try MLPRowScorer(m, context)
        case .blend(let members, let weights):
            return try BlendRowScorer(members: try members.map { try $0.rowScorer(context) }, weights: weights,
                                      regression: task == .regression)
        }
    }
}
