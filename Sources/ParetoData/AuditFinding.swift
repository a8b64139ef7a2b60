import ParetoCore

/// How much an audit finding matters. Ordered: `info < warning < critical`.
///
/// - `critical`: the model or its evaluation will be wrong if nothing is done
///   (a leaked target, a test set unlike the training data).
/// - `warning`: likely to hurt the model or mislead its evaluation.
/// - `info`: worth knowing; no action may be needed.
public enum AuditSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    /// Worth knowing.
    case info
    /// Likely to hurt the model or mislead its evaluation.
    case warning
    /// Will make the model or its evaluation wrong if nothing is done.
    case critical

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    /// Whether `lhs` is less severe than `rhs`.
    public static func < (lhs: AuditSeverity, rhs: AuditSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// One named number or text backing a finding: `auc 0.998`, `p_value 3e-12`,
/// `capped_value 500001`.
public struct AuditEvidence: Sendable, Codable, Equatable {
    /// A number, or a text where a number cannot say it (a level, a date).
    public enum Value: Sendable, Equatable, Codable {
        /// A number (counts are whole numbers).
        case number(Double)
        /// A text: a value, a column name, a date.
        case text(String)

        /// Reads a JSON number or string.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        /// Writes a bare JSON number or string.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            }
        }

        /// The number, or `nil` for a text.
        public var number: Double? {
            if case .number(let value) = self { return value }
            return nil
        }

        /// The value as JSON.
        public var json: JSONValue {
            switch self {
            case .number(let value): .number(value)
            case .text(let value): .string(value)
            }
        }
    }

    /// The evidence's name, in snake case (`p_value`, `auc`, `rows`).
    public var name: String
    /// Its value.
    public var value: Value

    /// Creates a numeric piece of evidence; a NaN or infinite value (a mean
    /// over a column holding `inf`, say) is kept as the text "nan", "inf" or
    /// "-inf", so every report can be encoded as JSON.
    public init(_ name: String, _ value: Double) {
        self.name = name
        if value.isFinite {
            self.value = .number(value)
        } else {
            self.value = .text(value.isNaN ? "nan" : value > 0 ? "inf" : "-inf")
        }
    }

    /// Creates a piece of evidence from an integer count.
    public init(_ name: String, _ value: Int) {
        self.name = name
        self.value = .number(Double(value))
    }

    /// Creates a textual piece of evidence.
    public init(_ name: String, text: String) {
        self.name = name
        self.value = .text(text)
    }
}

/// One thing a `DataAudit` found: what kind of problem, which columns, how
/// serious, the numbers behind it and what to do.
///
/// ```swift
/// for finding in report.findings where finding.severity == .critical {
///     print(finding.kind, finding.columns, finding.message, finding.action)
/// }
/// ```
///
/// Row numbers in `rows` are 1-based data rows: row 1 is the first row after
/// the header (its file line is the row number + 1 when no field holds a
/// line break).
public struct AuditFinding: Sendable, Codable, Equatable {
    /// The kinds of finding, one per check (see `DataAudit` for each rule).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A column has missing values.
        case missingValues = "missing_values"
        /// Whether a value is missing predicts the target.
        case informativeMissingness = "informative_missingness"
        /// Columns are missing on the same rows (or almost).
        case sharedMissingness = "shared_missingness"
        /// Rows have no target value.
        case missingTarget = "missing_target"
        /// The classes are unbalanced, or a class is too rare for the folds.
        case classImbalance = "class_imbalance"
        /// A regression target is strongly skewed.
        case targetSkew = "target_skew"
        /// A regression target has values far outside its quartiles.
        case targetOutliers = "target_outliers"
        /// Many rows sit at a regression target's exact maximum or minimum.
        case cappedTarget = "capped_target"
        /// Rows repeat another row exactly.
        case duplicateRows = "duplicate_rows"
        /// Rows with identical features have different targets.
        case conflictingDuplicates = "conflicting_duplicates"
        /// A column holds one value (or none).
        case constantColumn = "constant_column"
        /// One value fills nearly all of a column.
        case nearConstantColumn = "near_constant_column"
        /// A column looks like a row identifier.
        case identifierColumn = "identifier_column"
        /// One column's value determines another's.
        case functionalDependency = "functional_dependency"
        /// One numeric column is an exact linear function (or a copy) of another.
        case linearFunction = "linear_function"
        /// One numeric column is the exact sum of two others.
        case sumOfColumns = "sum_of_columns"
        /// A column alone predicts the target almost perfectly, out of fold.
        case targetLeakage = "target_leakage"
        /// A column is the target up to a relabelling (or a function of it).
        case targetMapping = "target_mapping"
        /// One feature predicts the target far better than every other.
        case dominantFeature = "dominant_feature"
        /// A feature's relation to the target changes over time.
        case unstableRelation = "unstable_relation"
        /// A column's share of missing values changes sharply at a point in time.
        case missingnessChange = "missingness_change"
        /// Rows whose label the model confidently disagrees with.
        case labelIssues = "label_issues"
        /// A feature's distribution differs between training and test rows.
        case featureShift = "feature_shift"
        /// How well a classifier tells test rows from training rows.
        case adversarialValidation = "adversarial_validation"
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// How much it matters.
    public var severity: AuditSeverity
    /// The columns involved, most important first.
    public var columns: [String]
    /// What was found, in one or two sentences.
    public var message: String
    /// The numbers behind it, in a fixed order per kind.
    public var evidence: [AuditEvidence]
    /// Example rows (1-based data rows), most telling first; may be empty.
    public var rows: [Int]
    /// What to do about it.
    public var action: String

    /// Creates a finding.
    public init(kind: Kind, severity: AuditSeverity, columns: [String], message: String,
                evidence: [AuditEvidence] = [], rows: [Int] = [], action: String) {
        self.kind = kind
        self.severity = severity
        self.columns = columns
        self.message = message
        self.evidence = evidence
        self.rows = rows
        self.action = action
    }

    /// The value of the evidence named `name`, if any.
    public func evidence(_ name: String) -> AuditEvidence.Value? {
        evidence.first { $0.name == name }?.value
    }

    /// The finding as a JSON object: `{"kind", "severity", "columns",
    /// "message", "evidence": {name: value}, "rows", "action"}`.
    public var json: JSONValue {
        .object([
            ("kind", .string(kind.rawValue)), ("severity", .string(severity.rawValue)),
            ("columns", .array(columns.map(JSONValue.string))), ("message", .string(message)),
            ("evidence", .object(evidence.map { ($0.name, $0.value.json) })),
            ("rows", .array(rows.map(JSONValue.int))), ("action", .string(action)),
        ])
    }
}
