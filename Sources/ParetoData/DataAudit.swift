import ParetoCore

/// The model behind an audit's model-based checks (label issues,
/// adversarial validation): out-of-fold predictions on folds the audit
/// chooses.
///
/// ParetoData knows no models, so the audit takes one through this seam;
/// `CrossValidatedPredictor` in ParetoEval wraps any `TabularLearner`
/// (the `pareto audit` command passes gradient-boosted trees).
public protocol AuditPredictor: Sendable {
    /// Predicts `target` from every other column of `frame`, each row by a
    /// model fitted on the folds that do not validate it.
    ///
    /// - Parameters:
    ///   - frame: the rows to predict; every row has a target value.
    ///   - task: the task to fit (the audit has already decided it).
    ///   - folds: each row is validated by exactly one fold.
    /// - Returns: row-major predictions, `k` per row: for classification the
    ///   probability of each class in `DataFrame.classEncoding` order (k
    ///   classes), for regression the predicted value (k = 1).
    func outOfFoldPredictions(_ frame: DataFrame, target: String, task: TaskKind, folds: [Fold]) throws -> [Double]
}

/// The limits at which an audit reports something, each with its default.
///
/// Scores are single-feature out-of-fold ROC AUC (classification; macro
/// one-vs-rest for multiclass) or R² (regression).
public struct AuditThresholds: Sendable, Codable, Equatable {
    /// A feature scoring at least this alone is a leak (critical). Default 0.99.
    public var leakage = 0.99
    /// A feature scoring at least this alone is worth a look (info: strong
    /// features are common in easy problems, so this alone is no alarm).
    /// Default 0.95.
    public var suspicious = 0.95
    /// p-values below this are significant (missingness, change over time,
    /// shift). Default 0.001: with thousands of rows, weaker evidence is
    /// everywhere.
    public var significance = 0.001
    /// A column whose most frequent value covers at least this share of its
    /// present values is near-constant. Default 0.99.
    public var nearConstantShare = 0.99
    /// A column with at least this share of distinct present values is
    /// identifier-like (whole numbers, categories, text without spaces).
    /// Default 0.95.
    public var identifierShare = 0.95
    /// A column may determine another (functional dependency) only if its
    /// distinct values are at most this share of the rows, so each value
    /// repeats and the dependency is not a coincidence. Default 0.1.
    public var determinantShare = 0.1
    /// Class imbalance (largest class over smallest) reported from here
    /// (info). Default 1.5.
    public var imbalanceRatio = 1.5
    /// … and a warning from here. Default 10.
    public var severeImbalanceRatio = 10.0
    /// |skewness| of a regression target reported from here (info; a warning
    /// from twice this). Default 1.
    public var skewness = 1.0
    /// Share of a regression target's rows beyond 3 × IQR from the quartiles
    /// from which outliers are a warning (any such row is info). Default 0.01.
    public var outlierShare = 0.01
    /// Rows at a regression target's exact maximum (or minimum) are a cap
    /// when they are at least this share of the rows, at least 10 rows, and
    /// this many times more than the average rows per distinct value.
    /// Default share 0.005.
    public var cappedShare = 0.005
    /// … the frequency multiple. Default 10.
    public var cappedFrequency = 10.0
    /// Population stability index from which a shift is reported (info).
    /// Default 0.1.
    public var moderateShift = 0.1
    /// … and a warning. Default 0.25.
    public var majorShift = 0.25
    /// Adversarial-validation AUC from which training and test rows differ
    /// (warning). Default 0.6.
    public var adversarialWarning = 0.6
    /// … and critically (critical). Default 0.8.
    public var adversarialCritical = 0.8
    /// The best single feature is dominant when its lift over chance
    /// (2·AUC − 1, or √R²) is at least this many times the second best's…
    /// Default 2.
    public var dominance = 2.0
    /// … and at least this lift. Default 0.2.
    public var dominantLift = 0.2
    /// A single-feature score that changes by at least this between the
    /// early and late halves (and significantly) is unstable. Default 0.1.
    public var relationChange = 0.1
    /// A missing share that changes by at least this at one point in time
    /// (and significantly) is reported. Default 0.25.
    public var missingnessChange = 0.25
    /// Label issues among at least this share of the rows are a warning
    /// (fewer are info). Default 0.05.
    public var labelIssueShare = 0.05
    /// Columns whose missing rows overlap at least this much (Jaccard index)
    /// are reported together. Default 0.95.
    public var sharedMissingness = 0.95
    /// Relative tolerance of exact sums and linear functions:
    /// |a − (b + c)| ≤ tolerance · max(|a|, |b|, |c|). Default 1e-9.
    public var tolerance = 1e-9

    /// The defaults.
    public init() {}
}

/// Audits a table before modelling: missing values, the target, duplicates,
/// useless, identifier and redundant columns, leakage, label errors, change
/// over time and the shift between training and test data. Each problem is
/// an `AuditFinding` with evidence and a suggested action.
///
/// ```swift
/// var audit = DataAudit(target: "churn", time: "signup_date")
/// audit.predictor = CrossValidatedPredictor(TreeEnsembleLearner(GradientBoosting(objective: .binary)))
/// let report = try audit.run(train, test: test)
/// for finding in report.findings where finding.severity >= .warning { print(finding.message) }
/// ```
///
/// The checks (thresholds in `AuditThresholds`):
/// - Target: rows without one; class balance and classes too rare for the
///   folds; for regression, skewness (scipy's `skew`), outliers beyond
///   Tukey's fences (1.5 and 3 IQR past the quartiles) and capped values
///   (many rows at the exact maximum or minimum).
/// - Rows: exact duplicates, and conflicting duplicates (same features,
///   different targets); identifier columns are ignored in both, since a
///   copied record usually gets a fresh id.
/// - Columns: missing values; constant and near-constant columns;
///   identifier-like columns (nearly all values distinct, or strictly
///   monotone in row order); columns missing on the same rows.
/// - Relations: one column determining another (a function between their
///   values, considered when the determining column repeats its values, for
///   up to `maximumRelationColumns` columns); a numeric column that is an
///   exact linear function of another; a numeric column that is the exact sum
///   of two others (the first `maximumSumColumns` numeric columns, so at most
///   n·C(n, 2) triples). Any of these involving the target is a leak.
/// - Leakage: each feature's out-of-fold score alone (no model: each fold
///   predicts a row from its bin's target statistics on the other folds;
///   see `FeatureScorer`), flagged near-perfect; whether a column's
///   missingness predicts the target (chi-square test for classes, Welch's
///   t for numbers), flagged critical when missingness alone encodes it; a
///   feature far more predictive than all the others.
/// - With `time`: the same single-feature scores in the earlier and later
///   half of the rows (by time), compared (Hanley–McNeil for AUC, Fisher's z
///   for regression); missing shares that change sharply at one time; and,
///   without a test set, the latest `timeTestFraction` of rows serve as one.
/// - With a test set: per feature, the population stability index (10 bins
///   at the training rows' deciles plus one for missing; categories one bin
///   each), the Kolmogorov–Smirnov test (ordered kinds) or a chi-square test
///   (categories) and the feature's own out-of-fold AUC at telling test rows
///   from training rows; with a predictor, adversarial validation.
/// - With a predictor, classification: label issues by confident learning
///   (Northcutt, Jiang & Chuang, 2021): a row is a candidate when the
///   model's out-of-fold probability of another class reaches that class's
///   threshold (its rows' average self-confidence) and is the largest such.
///
/// Out-of-fold checks use stratified folds for classes, shuffled k-fold for
/// numbers, or whole groups with `group`; the group column is not a feature.
/// They need at least 10 rows with a target per fold (notes say when they
/// were skipped). Model-based checks leave out identifier columns and
/// columns found to leak the target; a model that fails to fit leaves a
/// note instead of failing the audit.
///
/// Cost: a sort per numeric column, then passes over the rows per check;
/// model-based checks cost one cross-validation each. Deterministic for a
/// seed.
public struct DataAudit: Sendable {
    /// The column to predict.
    public var target: String
    /// The task; `nil` infers it from the target (as `TargetSummary` does).
    public var task: TaskKind?
    /// A numeric or date-time column giving each row's time, for the checks
    /// over time; `nil` for none.
    public var time: String?
    /// A column whose rows belong together (a customer, a patient): folds
    /// keep each group whole; `nil` for none.
    public var group: String?
    /// Folds of the out-of-fold checks (at least 2).
    public var folds = 5
    /// The seed of every random choice.
    public var seed: UInt64 = 0
    /// Worker threads; `nil` for all cores.
    public var threads: Int?
    /// The model of the model-based checks; `nil` skips them.
    public var predictor: (any AuditPredictor)?
    /// The limits at which findings are reported.
    public var thresholds = AuditThresholds()
    /// Example rows listed per finding.
    public var exampleRows = 10
    /// With `time` and no test set: the share of latest rows compared with
    /// the rest in the shift checks.
    public var timeTestFraction = 0.2
    /// The most numeric columns searched for exact sums (the first ones in
    /// column order).
    public var maximumSumColumns = 60
    /// The most columns searched for functional dependencies and linear
    /// functions (the first ones in column order).
    public var maximumRelationColumns = 200
    /// The most rows of the adversarial-validation model (a seeded sample of
    /// each side, in proportion, beyond it).
    public var adversarialRowLimit = 100_000

    /// Creates an audit; nothing is computed until `run`.
    public init(target: String, time: String? = nil, group: String? = nil, predictor: (any AuditPredictor)? = nil) {
        self.target = target
        self.time = time
        self.group = group
        self.predictor = predictor
    }

    /// Audits `frame`, comparing it with `test` when given.
    ///
    /// - Throws: `UsageError` for an unknown target, time or group column, a
    ///   time column that is not numeric or date-time, a target with one
    ///   class or value, a test set without a feature column (or with a
    ///   different kind), or bad settings; whatever the predictor throws.
    public func run(_ frame: DataFrame, test: DataFrame? = nil) throws -> AuditReport {
        var run = try AuditRun(self, frame: frame, test: test)
        return try run.report()
    }
}

/// The state of one audit: the table reduced to profiles, the target, the
/// folds, and the findings so far. Each group of checks lives in its own
/// file as an extension.
struct AuditRun {
    let audit: DataAudit
    let frame: DataFrame
    let test: DataFrame?
    let thresholds: AuditThresholds
    let profiles: [ColumnProfile]
    let targetIndex: Int
    let timeIndex: Int?
    let groupIndex: Int?
    let task: TaskKind
    /// Classification: the labels in `classLabelOrder`.
    let classLabels: [String]
    /// Rows with a target, ascending.
    let labeled: [Int]
    /// Per labeled row: its class code (classification).
    let classCodes: [Int32]
    /// Per labeled row: its target value (regression).
    let targetValues: [Double]
    /// The out-of-fold folds over the labeled rows, and each labeled row's fold.
    var folds: [Fold] = []
    var foldOfLabeled: [Int32] = []
    var scorer: FeatureScorer?

    var findings: [AuditFinding] = []
    var notes: [String] = []
    /// Columns found to be identifiers, or to leak the target (by index).
    var identifiers: Set<Int> = []
    var leaks: Set<Int> = []
    /// Single-feature scores by column index.
    var scores: [Int: Double] = [:]
    var features: [FeatureAudit] = []
    var modelScore: Double?
    var comparison: String?

    init(_ audit: DataAudit, frame: DataFrame, test: DataFrame?) throws {
        self.audit = audit
        self.frame = frame
        self.test = test
        thresholds = audit.thresholds
        guard audit.folds >= 2 else { throw UsageError("an audit needs at least 2 folds, not \(audit.folds)") }
        guard audit.exampleRows >= 0, audit.timeTestFraction > 0, audit.timeTestFraction < 1 else {
            throw UsageError("example rows must be at least 0 and the time test fraction in (0, 1)")
        }
        guard let targetIndex = frame.position(of: audit.target) else {
            throw frame.unknownColumn(audit.target, role: "target column")
        }
        self.targetIndex = targetIndex
        guard frame.rowCount > 0 else { throw UsageError("the data has no rows to audit") }
        timeIndex = try audit.time.map { name in
            guard let index = frame.position(of: name) else { throw frame.unknownColumn(name, role: "time column") }
            guard index != targetIndex else { throw UsageError("the time column cannot be the target \"\(name)\"") }
            let kind = frame.columns[index].kind
            guard kind == .numeric || kind == .datetime else {
                throw UsageError("the time column \"\(name)\" is \(kind.rawValue); it must be numeric or a date-time",
                                 hint: "declare it with --type \(name)=datetime if it holds ISO-8601 dates")
            }
            return index
        }
        groupIndex = try audit.group.map { name in
            guard let index = frame.position(of: name) else { throw frame.unknownColumn(name, role: "group column") }
            guard index != targetIndex else { throw UsageError("the group column cannot be the target \"\(name)\"") }
            return index
        }
        if let timeIndex, timeIndex == groupIndex {
            throw UsageError("the time and group columns cannot be the same column \"\(audit.time!)\"")
        }

        let targetColumn = frame.columns[targetIndex]
        task = audit.task ?? TargetSummary(targetColumn).task
        labeled = (0..<frame.rowCount).filter { !targetColumn.isMissing($0) }
        guard !labeled.isEmpty else {
            throw UsageError("the target \"\(audit.target)\" has no values", hint: "check the column name and missing-value tokens")
        }
        if task == .regression {
            guard let numeric = targetColumn.numeric else {
                throw UsageError("the target \"\(audit.target)\" is \(targetColumn.kind.rawValue); regression needs numbers",
                                 hint: "audit it as a classification target")
            }
            let values = labeled.map { numeric.values[$0] }
            guard values.allSatisfy(\.isFinite) else {
                throw UsageError("the target \"\(audit.target)\" holds NaN or infinite values",
                                 hint: "mark them missing or remove those rows")
            }
            guard let first = values.first, values.contains(where: { $0 != first }) else {
                throw UsageError("the target \"\(audit.target)\" has only one value", hint: "there is nothing to predict")
            }
            targetValues = values
            classLabels = []
            classCodes = []
        } else {
            let encoding = try frame.classEncoding(audit.target)
            guard encoding.labels.count >= 2 else {
                throw UsageError("the target \"\(audit.target)\" has only one class (\"\(encoding.labels.first ?? "")\")",
                                 hint: "a classification target needs two or more classes")
            }
            if task == .binary && encoding.labels.count > 2 {
                throw UsageError("the target \"\(audit.target)\" has \(encoding.labels.count) classes, not 2",
                                 hint: "audit it as a multiclass target")
            }
            classLabels = encoding.labels
            classCodes = labeled.map { Int32(encoding.codes[$0]) }
            targetValues = []
        }
        if let test {
            for (index, column) in frame.columns.enumerated() where index != targetIndex && index != groupIndex {
                guard let other = test[column.name] else {
                    throw UsageError("the test data has no column \"\(column.name)\", which the training data has",
                                     hint: "compare files with the same columns (the target may be left out)")
                }
                guard other.kind == column.kind else {
                    throw UsageError("column \"\(column.name)\" is \(column.kind.rawValue) in the training data but "
                                     + "\(other.kind.rawValue) in the test data",
                                     hint: "read both files with the same column types")
                }
            }
        }
        let columns = frame.columns
        profiles = Parallel.map(count: columns.count, threads: audit.threads) { ColumnProfile(columns[$0]) }
    }

    /// The fewest rows per fold for out-of-fold checks: below it, scores
    /// are noise (an AUC from two validation rows says nothing).
    static let minimumRowsPerFold = 10

    /// Columns other than the target and the group column, by index.
    var featureIndices: [Int] {
        frame.columns.indices.filter { $0 != targetIndex && $0 != groupIndex }
    }

    var targetName: String { audit.target }

    /// The folds over `rowCount` rows: whole groups, stratified classes, or
    /// shuffled k-fold; fewer folds when there are fewer rows (or groups);
    /// `nil` below two.
    func makeFolds(rowCount: Int, classes: [Int32]?, groups: [Int]?) throws -> (folds: [Fold], foldOf: [Int32])? {
        var k = min(audit.folds, rowCount)
        let folds: [Fold]
        if let groups {
            k = min(k, Set(groups).count)
            guard k >= 2 else { return nil }
            folds = try GroupKFold(k: k, groups: groups, seed: audit.seed).folds(rowCount: rowCount)
        } else if let classes {
            guard k >= 2 else { return nil }
            folds = try StratifiedKFold(k: k, labels: classes.map(Int.init), seed: audit.seed).folds(rowCount: rowCount)
        } else {
            guard k >= 2 else { return nil }
            folds = try KFold(k: k, seed: audit.seed).folds(rowCount: rowCount)
        }
        var foldOf = [Int32](repeating: 0, count: rowCount)
        for (f, fold) in folds.enumerated() { for row in fold.validation { foldOf[row] = Int32(f) } }
        return (folds, foldOf)
    }

    /// Group codes of the labeled rows, when folds are grouped.
    func groupCodes(of rows: [Int]) -> [Int]? {
        guard let groupIndex else { return nil }
        let codes = profiles[groupIndex].codes
        // A missing group is a group of its own.
        return rows.map { Int(codes[$0]) }
    }

    /// The scoring target over `rows` (indices into the labeled rows).
    func scoringTarget(labeledPositions positions: [Int]) -> ScoringTarget {
        if task == .regression { return .values(positions.map { targetValues[$0] }) }
        return .classes(positions.map { classCodes[$0] }, count: classLabels.count)
    }

    mutating func add(_ finding: AuditFinding) { findings.append(finding) }

    /// Runs a model-based check, turning a model that cannot be fitted
    /// (a fold without some class, say) into a note rather than a failed
    /// audit: the other checks still stand.
    mutating func withModel(_ check: String, _ body: (inout AuditRun) throws -> Void) {
        do {
            try body(&self)
        } catch {
            notes.append("\(check) skipped: the model failed: \(error)")
        }
    }

    /// Runs every check and assembles the report.
    mutating func report() throws -> AuditReport {
        let rowsWithTarget = labeled.count
        if rowsWithTarget < Self.minimumRowsPerFold * audit.folds {
            notes.append("out-of-fold checks skipped: \(rowsWithTarget) rows with a target; they need "
                         + "\(Self.minimumRowsPerFold) per fold (\(Self.minimumRowsPerFold * audit.folds))")
        } else if let made = try makeFolds(rowCount: rowsWithTarget, classes: task == .regression ? nil : classCodes,
                                           groups: groupCodes(of: labeled)) {
            folds = made.folds
            foldOfLabeled = made.foldOf
            scorer = FeatureScorer(foldOfRow: made.foldOf, foldCount: made.folds.count,
                                   target: scoringTarget(labeledPositions: Array(0..<rowsWithTarget)))
        } else {
            notes.append("out-of-fold checks skipped: \(rowsWithTarget) rows with a target"
                         + (groupIndex != nil ? " in too few groups" : "") + " cannot make 2 folds")
        }
        checkTarget()
        checkColumns()
        checkRows()
        checkRelations()
        checkLeakage()
        checkTime()
        try checkShift()
        withModel("label issues") { try $0.checkLabels() }

        let order = Dictionary(uniqueKeysWithValues: AuditFinding.Kind.allCases.enumerated().map { ($1, $0) })
        let sorted = findings.enumerated().sorted { a, b in
            if a.element.severity != b.element.severity { return a.element.severity > b.element.severity }
            let (ka, kb) = (order[a.element.kind]!, order[b.element.kind]!)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
        var classes: [AuditReport.ClassCount] = []
        if task != .regression {
            var counts = [Int](repeating: 0, count: classLabels.count)
            for code in classCodes { counts[Int(code)] += 1 }
            classes = zip(classLabels, counts).map { AuditReport.ClassCount(label: $0, count: $1) }
        }
        return AuditReport(rows: frame.rowCount, columns: frame.columnCount, target: targetName, task: task,
                           classes: classes, folds: folds.count, seed: audit.seed,
                           scoreMetric: task == .regression ? "r2" : "auc", modelScore: modelScore,
                           comparison: comparison, findings: sorted, features: featureLines(), notes: notes)
    }

    /// One line per column other than the target.
    func featureLines() -> [FeatureAudit] {
        var shiftByName: [String: FeatureAudit] = [:]
        for line in features { shiftByName[line.name] = line }
        return frame.columns.indices.filter { $0 != targetIndex }.map { index in
            let profile = profiles[index]
            let shifted = shiftByName[profile.name]
            return FeatureAudit(name: profile.name, kind: profile.kind, missing: profile.missing,
                                distinct: profile.distinct, score: scores[index], psi: shifted?.psi,
                                shiftPValue: shifted?.shiftPValue, adversarialAUC: shifted?.adversarialAUC)
        }
    }

    /// Up to `exampleRows` 1-based row numbers from 0-based `rows`.
    func examples<S: Sequence>(_ rows: S) -> [Int] where S.Element == Int {
        Array(rows.prefix(audit.exampleRows).map { $0 + 1 })
    }
}

// MARK: Text for messages

/// A number in at most four significant digits: 0.9981, 12.35, 48842,
/// 3.2e-07.
func auditNumber(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    if value == value.rounded() && abs(value) < 1e15 { return groupedInteger(Int(value)) }
    let magnitude = abs(value)
    if magnitude >= 1e-3 && magnitude < 1e15 {
        let decimals = max(0, 3 - Int(log10Floor(magnitude)))
        return trimmed(fixedDecimals(value, decimals))
    }
    // Scientific: two significant digits are enough for a p-value.
    var exponent = Int(log10Floor(magnitude))
    var mantissa = value / power10(exponent)
    if abs((mantissa * 10).rounded()) >= 100 {
        mantissa /= 10
        exponent += 1
    }
    return trimmed(fixedDecimals(mantissa, 1)) + "e" + (exponent < 0 ? "-" : "+") + String(abs(exponent))
}

/// A share as a percentage with one decimal: "12.3%".
func auditPercent(_ share: Double) -> String {
    trimmed(fixedDecimals(100 * share, share < 0.001 && share > 0 ? 3 : 1)) + "%"
}

/// An integer with thousands separators: 48,842.
func groupedInteger(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(ch)
    }
    return (value < 0 ? "-" : "") + out
}

/// A row count with its noun: "1 row", "2,799 rows".
func rowCount(_ count: Int) -> String {
    groupedInteger(count) + (count == 1 ? " row" : " rows")
}

/// Quoted column names joined with commas: `"a", "b" and "c"`.
func quotedList(_ names: [String]) -> String {
    let quoted = names.map { "\"\($0)\"" }
    guard quoted.count > 1 else { return quoted.first ?? "" }
    return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
}

private func log10Floor(_ x: Double) -> Double {
    var exponent = 0.0
    var v = x
    while v >= 10 { v /= 10; exponent += 1 }
    while v < 1 { v *= 10; exponent -= 1 }
    return exponent
}

private func power10(_ exponent: Int) -> Double {
    var result = 1.0
    if exponent >= 0 {
        for _ in 0..<exponent { result *= 10 }
    } else {
        for _ in 0..<(-exponent) { result /= 10 }
    }
    return result
}

private func fixedDecimals(_ value: Double, _ decimals: Int) -> String {
    let scale = power10(decimals)
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if text.contains("e") { return text }
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have > decimals { text = String(text[..<text.index(dot, offsetBy: decimals + 1)]) }
    }
    return text
}

private func trimmed(_ text: String) -> String {
    guard text.contains("."), !text.contains("e") else { return text }
    var t = Substring(text)
    while t.hasSuffix("0") { t = t.dropLast() }
    if t.hasSuffix(".") { t = t.dropLast() }
    return String(t)
}
