import ParetoCore

/// A problem with a network's settings or data: a bad hyperparameter, an
/// architecture whose widths do not fit, a NaN feature, no rows.
///
/// `field` names the setting or input at fault (`learningRate`,
/// `layers[3]`, `numeric[row 12, column 4]`).
public struct NeuralError: ParetoError, Equatable {
    /// The setting or input at fault.
    public let field: String
    /// What is wrong with it.
    public let problem: String
    /// What to do about it.
    public let hint: String?

    /// Creates an error about `field`.
    public init(_ field: String, _ problem: String, hint: String? = nil) {
        self.field = field
        self.problem = problem
        self.hint = hint
    }

    /// `field: problem`.
    public var message: String { "\(field): \(problem)" }
}

extension NeuralError {
    /// Throws unless `value` is finite and in `range`.
    static func check(_ value: Double, _ field: String, in range: ClosedRange<Double>, hint: String? = nil) throws {
        guard value.isFinite, range.contains(value) else {
            throw NeuralError(field, "must be in [\(range.lowerBound), \(range.upperBound)], not \(value)", hint: hint)
        }
    }

    /// Throws unless `value` ≥ `minimum`.
    static func check(_ value: Int, _ field: String, atLeast minimum: Int) throws {
        guard value >= minimum else { throw NeuralError(field, "must be at least \(minimum), not \(value)") }
    }
}
