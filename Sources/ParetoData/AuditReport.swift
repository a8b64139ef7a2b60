import ParetoCore

/// One feature's line in an audit: its shape, how well it predicts the
/// target alone, and how much it shifted between training and test rows.
public struct FeatureAudit: Sendable, Codable, Equatable {
    /// The column's name.
    public var name: String
    /// The column's kind.
    public var kind: ColumnKind
    /// Missing rows.
    public var missing: Int
    /// Distinct present values.
    public var distinct: Int
    /// The feature's out-of-fold score alone (the report's `scoreMetric`);
    /// `nil` for text columns and when the scores were not computed.
    public var score: Double?
    /// The population stability index between training and test rows.
    public var psi: Double?
    /// The p-value of the shift test (Kolmogorov–Smirnov for ordered
    /// kinds, chi-square for categories).
    public var shiftPValue: Double?
    /// How well the feature alone tells test rows from training rows
    /// (out-of-fold AUC; 0.5 when it cannot).
    public var adversarialAUC: Double?

    /// Creates a feature line.
    public init(name: String, kind: ColumnKind, missing: Int, distinct: Int, score: Double? = nil,
                psi: Double? = nil, shiftPValue: Double? = nil, adversarialAUC: Double? = nil) {
        self.name = name
        self.kind = kind
        self.missing = missing
        self.distinct = distinct
        self.score = score
        self.psi = psi
        self.shiftPValue = shiftPValue
        self.adversarialAUC = adversarialAUC
    }

    /// The line as a JSON object; fields that were not computed are `null`.
    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        return .object([
            ("name", .string(name)), ("type", .string(kind.rawValue)), ("missing", .int(missing)),
            ("distinct", .int(distinct)), ("score", number(score)), ("psi", number(psi)),
            ("shift_p_value", number(shiftPValue)), ("adversarial_auc", number(adversarialAUC)),
        ])
    }
}

/// What a `DataAudit` found: the findings, most severe first, a line per
/// feature, and notes on checks that could not run.
public struct AuditReport: Sendable, Codable, Equatable {
    /// A class label and its row count.
    public struct ClassCount: Sendable, Codable, Equatable {
        /// The label.
        public var label: String
        /// Rows with that label.
        public var count: Int
    }

    /// Rows audited.
    public var rows: Int
    /// Columns audited, the target included.
    public var columns: Int
    /// The target column.
    public var target: String
    /// The task the target calls for.
    public var task: TaskKind
    /// Classification: every class and its count, in `classLabelOrder`.
    public var classes: [ClassCount]
    /// The folds of the out-of-fold checks (0 when there were too few rows).
    public var folds: Int
    /// The seed of every random choice.
    public var seed: UInt64
    /// What single-feature scores measure: `auc` (macro one-vs-rest for
    /// multiclass) or `r2`.
    public var scoreMetric: String
    /// The injected model's out-of-fold score on every feature together,
    /// in `scoreMetric`, when it ran on the target.
    public var modelScore: Double?
    /// What the shift checks compared, e.g. "test.csv (9,769 rows)", or
    /// `nil` when there was nothing to compare.
    public var comparison: String?
    /// Every finding, most severe first (then in check order).
    public var findings: [AuditFinding]
    /// One line per column other than the target, in column order.
    public var features: [FeatureAudit]
    /// Checks that did not run, and why.
    public var notes: [String]

    /// The findings of one kind.
    public func findings(_ kind: AuditFinding.Kind) -> [AuditFinding] {
        findings.filter { $0.kind == kind }
    }

    /// How many findings have `severity`.
    public func count(_ severity: AuditSeverity) -> Int {
        findings.reduce(0) { $0 + ($1.severity == severity ? 1 : 0) }
    }

    /// The report as one JSON object: `{"rows", "columns", "target", "task",
    /// "classes": {label: count}, "folds", "seed", "score_metric",
    /// "model_score", "comparison", "counts": {"critical", "warning",
    /// "info"}, "findings": [...], "features": [...], "notes": [...]}`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("rows", .int(rows)), ("columns", .int(columns)), ("target", .string(target)),
            ("task", .string(task.rawValue)),
        ]
        if task != .regression {
            members.append(("classes", .object(classes.map { ($0.label, .int($0.count)) })))
        }
        members += [
            ("folds", .int(folds)),
            // A seed beyond Int's range is written as text rather than wrapped.
            ("seed", seed <= UInt64(Int.max) ? .int(Int(seed)) : .string(String(seed))),
            ("score_metric", .string(scoreMetric)),
            ("model_score", modelScore.map(JSONValue.number) ?? .null),
            ("comparison", comparison.map(JSONValue.string) ?? .null),
            ("counts", .object(AuditSeverity.allCases.reversed().map { ($0.rawValue, .int(count($0))) })),
            ("findings", .array(findings.map(\.json))), ("features", .array(features.map(\.json))),
            ("notes", .array(notes.map(JSONValue.string))),
        ]
        return .object(members)
    }
}
