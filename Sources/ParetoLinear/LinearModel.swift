import ParetoCore

/// A fitted linear model: ŷ = intercept + Σⱼ coefficients[j] · x[j].
///
/// Returned by every `fit` in ParetoLinear. Solvers that iterate (coordinate
/// descent) fill `iterations`, `converged` and `warning`; closed-form solvers
/// report one iteration and `converged == true`.
public struct LinearModel: Codable, Sendable, Hashable {
    /// One coefficient per column, on the original (uncentred) scale.
    public var coefficients: [Double]
    /// The constant term (0 when the model was fitted without one).
    public var intercept: Double
    /// Full passes over the coordinates that the solver made.
    public var iterations: Int
    /// Whether the stopping rule was met before `maxIterations` ran out.
    public var converged: Bool
    /// Why the result may be inaccurate (non-convergence), for the caller to
    /// show; `nil` when there is nothing to say.
    public var warning: String?

    /// Creates a model from its parts.
    public init(coefficients: [Double], intercept: Double, iterations: Int = 1, converged: Bool = true, warning: String? = nil) {
        self.coefficients = coefficients
        self.intercept = intercept
        self.iterations = iterations
        self.converged = converged
        self.warning = warning
    }

    /// Predictions for a dense row-major matrix with as many columns as the
    /// model has coefficients.
    ///
    /// Cost: O(rows × columns). Throws `UsageError` if the shape does not match.
    public func predict(x: [Double], rows: Int) throws -> [Double] {
        let columns = coefficients.count
        guard x.count == rows * columns else {
            throw UsageError("x has \(x.count) values but the model expects \(rows) rows × \(columns) columns")
        }
        var out = [Double](repeating: intercept, count: rows)
        for i in 0..<rows {
            var sum = intercept
            for j in 0..<columns { sum += x[i * columns + j] * coefficients[j] }
            out[i] = sum
        }
        return out
    }
}
