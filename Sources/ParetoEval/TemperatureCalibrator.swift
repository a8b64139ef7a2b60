#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Temperature scaling (Guo et al., 2017): one temperature T > 0 that divides
/// every logit before the softmax, `probabilities = softmax(logits / T)`.
///
/// ```swift
/// let scaling = try TemperatureCalibrator.fit(logits: heldOutLogits, classCount: 3, labels: labels)
/// let probabilities = try scaling(rowLogits)   // 3 per row
/// ```
///
/// For any number of classes. T > 1 softens an overconfident model, T < 1
/// sharpens an underconfident one; the predicted class never changes, so
/// accuracy and ranking metrics are untouched. Inputs are logits (raw
/// scores), row-major, `classCount` per row; for a model that outputs
/// probabilities, pass their logarithms.
///
/// T minimizes the weighted mean log loss of softmax(logits / T). That loss
/// is convex in the inverse temperature β = 1/T (its second derivative is the
/// weighted variance of the logits under the softmax), so β is found by
/// Newton's method kept inside a shrinking bracket, to rounding level. β is
/// confined to [e⁻¹⁰, e¹⁰], scikit-learn's range: when the logits separate
/// the classes perfectly the loss keeps falling as T → 0, and T stops at e⁻¹⁰;
/// when they point away from the labels it keeps falling as T → ∞, and T
/// stops at e¹⁰ (every row near uniform).
public struct TemperatureCalibrator: Sendable, Codable, Equatable {
    /// The divisor of every logit (> 0).
    public let temperature: Double
    /// The number of classes, and so of logits per row (≥ 2).
    public let classCount: Int

    /// A calibrator with the given temperature (for a fit made elsewhere).
    ///
    /// - Throws: `EvaluationError` unless the temperature is finite and
    ///   positive and there are at least 2 classes.
    public init(temperature: Double, classCount: Int) throws {
        guard temperature > 0, temperature.isFinite else {
            throw EvaluationError("the temperature must be a finite positive number, got \(temperature)")
        }
        guard classCount >= 2 else {
            throw EvaluationError("temperature scaling needs at least 2 classes, got \(classCount)")
        }
        self.temperature = temperature
        self.classCount = classCount
    }

    /// The bounds on the inverse temperature, as in scikit-learn.
    static let inverseTemperatureRange = (low: exp(-10.0), high: exp(10.0))

    /// Fits the temperature to logits and their true classes.
    ///
    /// Cost: O(n·k) per Newton iteration, typically under twenty iterations.
    /// When every row's logits are all equal, no temperature changes
    /// anything, and T is 1.
    ///
    /// - Parameters:
    ///   - logits: row-major raw scores, `classCount` per row, all finite.
    ///   - classCount: the number of classes (≥ 2).
    ///   - labels: the true class index per row, in `0..<classCount`.
    ///   - weights: optional non-negative row weights.
    /// - Throws: `EvaluationError` for empty input, mismatched lengths, a
    ///   non-finite logit, a label that is not a class index, a bad weight,
    ///   or fewer than two classes among the labels.
    public static func fit(logits: [Double], classCount: Int, labels: [Double],
                           weights: [Double]? = nil) throws -> TemperatureCalibrator {
        guard classCount >= 2 else {
            throw EvaluationError("temperature scaling needs at least 2 classes, got \(classCount)")
        }
        guard !labels.isEmpty else { throw EvaluationError("there are no rows for temperature scaling") }
        guard logits.count == labels.count * classCount else {
            throw EvaluationError("\(labels.count) labels but \(logits.count) logits; expected \(classCount) per row")
        }
        if let bad = logits.firstIndex(where: { !$0.isFinite }) {
            throw EvaluationError("row \(bad / classCount + 1): logit \(logits[bad]) is not a finite number",
                                  hint: "a model produced NaN or infinity; check its inputs")
        }
        if let bad = labels.firstIndex(where: { !($0 >= 0 && $0 < Double(classCount) && $0.rounded() == $0) }) {
            throw EvaluationError("row \(bad + 1): label \(labels[bad]) is not a class index in 0..<\(classCount)")
        }
        let rowWeights: [Double]
        if let weights {
            guard weights.count == labels.count else {
                throw EvaluationError("\(labels.count) rows but \(weights.count) weights")
            }
            if let bad = weights.firstIndex(where: { !($0 >= 0) || $0.isInfinite }) {
                throw EvaluationError("row \(bad + 1): weight \(weights[bad]) is not a finite non-negative number")
            }
            rowWeights = weights
        } else {
            rowWeights = [Double](repeating: 1, count: labels.count)
        }
        let present = Set(labels.indices.lazy.filter { rowWeights[$0] > 0 }.map { labels[$0] })
        guard present.count >= 2 else {
            throw EvaluationError(
                present.isEmpty ? "every weight is zero"
                    : "only class \(Int(present.first!)) appears in the rows; temperature scaling needs at least two classes",
                hint: present.isEmpty ? nil : "use more held-out rows, or stratified folds so that every fold holds several classes")
        }

        let loss = SoftmaxLoss(logits: logits, classCount: classCount, labels: labels, weights: rowWeights)
        if loss.everyRowFlat {
            return TemperatureCalibrator(checkedTemperature: 1, classCount: classCount)
        }
        var (low, high) = inverseTemperatureRange
        if loss.slope(at: low).first >= 0 {
            return TemperatureCalibrator(checkedTemperature: 1 / low, classCount: classCount)
        }
        if loss.slope(at: high).first <= 0 {
            return TemperatureCalibrator(checkedTemperature: 1 / high, classCount: classCount)
        }
        // The slope is negative at `low` and positive at `high`; Newton steps
        // that leave the bracket are replaced by its geometric midpoint (the
        // bracket spans e²⁰, so bisecting in ln β halves it fastest).
        var beta = 1.0
        for _ in 0..<200 {
            let (first, second) = loss.slope(at: beta)
            if first == 0 { break }
            if first < 0 { low = beta } else { high = beta }
            var next = second > 0 ? beta - first / second : .nan
            if !(next > low && next < high) { next = (low * high).squareRoot() }
            if abs(next - beta) <= 2 * beta.ulp || high - low <= 2 * low.ulp { beta = next; break }
            beta = next
        }
        return TemperatureCalibrator(checkedTemperature: 1 / beta, classCount: classCount)
    }

    private init(checkedTemperature: Double, classCount: Int) {
        self.temperature = checkedTemperature
        self.classCount = classCount
    }

    /// Calibrated probabilities for rows of logits: softmax(logits / T) per
    /// row, row-major, `classCount` per row. O(n·k).
    ///
    /// - Throws: `EvaluationError` when the logit count is not a multiple of
    ///   `classCount`. NaN logits give NaN probabilities for their row.
    public func callAsFunction(_ logits: [Double]) throws -> [Double] {
        let k = classCount
        guard logits.count % k == 0 else {
            throw EvaluationError("\(logits.count) logits is not a whole number of rows of \(k)")
        }
        var out = [Double](repeating: 0, count: logits.count)
        let inverse = 1 / temperature
        logits.withUnsafeBufferPointer { z in
            out.withUnsafeMutableBufferPointer { p in
                for row in stride(from: 0, to: z.count, by: k) {
                    var largest = -Double.infinity
                    for j in row..<(row + k) { largest = max(largest, z[j]) }
                    var sum = 0.0
                    for j in row..<(row + k) {
                        p[j] = exp((z[j] - largest) * inverse)
                        sum += p[j]
                    }
                    for j in row..<(row + k) { p[j] /= sum }
                }
            }
        }
        return out
    }
}

extension TemperatureCalibrator {
    private enum CodingKeys: String, CodingKey { case temperature, classCount }

    /// Decodes a saved calibrator, refusing a temperature or class count that
    /// breaks its rules.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(temperature: try container.decode(Double.self, forKey: .temperature),
                          classCount: try container.decode(Int.self, forKey: .classCount))
        } catch let error as EvaluationError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the temperature and class count.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(temperature, forKey: .temperature)
        try container.encode(classCount, forKey: .classCount)
    }
}

/// The weighted log loss of softmax(β·logits) as a function of β.
private struct SoftmaxLoss {
    let logits: [Double]
    let classCount: Int
    let labels: [Double]
    let weights: [Double]

    /// Whether every weighted row's logits are all equal (the loss is then
    /// flat in β).
    var everyRowFlat: Bool {
        let k = classCount
        return weights.indices.allSatisfy { i in
            weights[i] == 0 || logits[(i * k)..<(i * k + k)].allSatisfy { $0 == logits[i * k] }
        }
    }

    /// The first and second derivatives of Σ wᵢ·(ln Σⱼ e^(β·zᵢⱼ) − β·zᵢ,yᵢ)
    /// in β: Σ wᵢ·(E[z] − z_y) and Σ wᵢ·Var[z], under softmax(β·zᵢ). One pass.
    func slope(at beta: Double) -> (first: Double, second: Double) {
        let k = classCount
        var first = 0.0, second = 0.0
        logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                weights.withUnsafeBufferPointer { w in
                    for i in 0..<y.count where w[i] > 0 {
                        let row = i * k
                        var largest = -Double.infinity
                        for j in row..<(row + k) { largest = max(largest, z[j]) }
                        var sum = 0.0, mean = 0.0
                        for j in row..<(row + k) {
                            let e = exp(beta * (z[j] - largest))
                            sum += e
                            mean += e * z[j]
                        }
                        mean /= sum
                        var variance = 0.0
                        for j in row..<(row + k) {
                            let d = z[j] - mean
                            variance += exp(beta * (z[j] - largest)) * d * d
                        }
                        variance /= sum
                        first += w[i] * (mean - z[row + Int(y[i])])
                        second += w[i] * variance
                    }
                }
            }
        }
        return (first, second)
    }
}
