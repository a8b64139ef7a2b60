import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real parameter in `[low, high]`, optionally on a log scale or on a grid
/// `low, low + step, …`.
///
/// Rules (checked by `init`): finite bounds, `low ≤ high`; log scale needs
/// `low > 0` and no step; a step must be positive, and `high` is lowered to
/// the last grid point at or below it.
public struct FloatDistribution: Codable, Sendable, Hashable {
    /// The smallest value.
    public let low: Double
    /// The largest value (a grid point when `step` is set).
    public let high: Double
    /// Whether values are spread evenly on a log scale.
    public let log: Bool
    /// The grid spacing, or `nil` for a continuous range.
    public let step: Double?

    /// Checks and creates a distribution; `name` is used in errors.
    public init(low: Double, high: Double, log: Bool = false, step: Double? = nil, name: String = "parameter") throws {
        guard low.isFinite, high.isFinite else {
            throw TuneError(.invalidBound, "parameter \"\(name)\": bounds must be finite, got [\(low), \(high)]")
        }
        guard low <= high else {
            throw TuneError(.emptyRange, "parameter \"\(name)\": the range [\(low), \(high)] is empty",
                            hint: "give the low bound first")
        }
        if log {
            guard low > 0 else {
                throw TuneError(.logNeedsPositiveLow,
                                "parameter \"\(name)\": a log-scaled range needs a positive low bound, got \(low)",
                                hint: "use a low bound above 0, or drop log: true")
            }
            guard step == nil else {
                throw TuneError(.logWithStep, "parameter \"\(name)\": log: true and a step cannot be combined",
                                hint: "drop one of them")
            }
        }
        var top = high
        if let step {
            guard step.isFinite, step > 0 else {
                throw TuneError(.invalidBound, "parameter \"\(name)\": the step must be positive, got \(step)")
            }
            // Lower `high` to the last grid point, tolerating rounding in (high − low) / step.
            let count = ((high - low) / step + 1e-9).rounded(.down)
            top = min(high, low + count * step)
        }
        self.low = low
        self.high = top
        self.log = log
        self.step = step
    }

    /// Whether `value` is a value of this distribution (on the grid, within
    /// a relative tolerance of 1e-9 steps).
    public func contains(_ value: Double) -> Bool {
        guard value.isFinite, value >= low - 1e-12 * abs(low), value <= high + 1e-12 * abs(high) else { return false }
        guard let step else { return true }
        let k = (value - low) / step
        return abs(k - k.rounded()) <= 1e-9 * max(1, abs(k))
    }

    /// Rounds `value` to the nearest value of the distribution.
    public func nearest(_ value: Double) -> Double {
        var v = min(max(value, low), high)
        if let step { v = min(high, low + ((v - low) / step).rounded() * step) }
        return v
    }
}

/// An integer parameter in `[low, high]`, optionally on a log scale or on a
/// grid `low, low + step, …`.
///
/// Rules (checked by `init`): `low ≤ high`, `step ≥ 1`; log scale needs
/// `low ≥ 1` and step 1; `high` is lowered to the last grid point.
public struct IntDistribution: Codable, Sendable, Hashable {
    /// The smallest value.
    public let low: Int
    /// The largest value (a grid point).
    public let high: Int
    /// Whether values are spread evenly on a log scale.
    public let log: Bool
    /// The grid spacing (1 for every integer).
    public let step: Int

    /// Checks and creates a distribution; `name` is used in errors.
    public init(low: Int, high: Int, log: Bool = false, step: Int = 1, name: String = "parameter") throws {
        guard low <= high else {
            throw TuneError(.emptyRange, "parameter \"\(name)\": the range [\(low), \(high)] is empty",
                            hint: "give the low bound first")
        }
        guard step >= 1 else {
            throw TuneError(.invalidBound, "parameter \"\(name)\": the step must be at least 1, got \(step)")
        }
        if log {
            guard low >= 1 else {
                throw TuneError(.logNeedsPositiveLow,
                                "parameter \"\(name)\": a log-scaled range needs a low bound of at least 1, got \(low)",
                                hint: "use a low bound of 1 or more, or drop log: true")
            }
            guard step == 1 else {
                throw TuneError(.logWithStep, "parameter \"\(name)\": log: true and a step cannot be combined",
                                hint: "drop one of them")
            }
        }
        self.low = low
        self.high = low + (high - low) / step * step
        self.log = log
        self.step = step
    }

    /// Whether `value` (an internal value) is an integer of this distribution.
    public func contains(_ value: Double) -> Bool {
        guard value.isFinite, value == value.rounded(), value >= Double(low), value <= Double(high) else { return false }
        return (Int(value) - low) % step == 0
    }

    /// Rounds `value` to the nearest value of the distribution.
    public func nearest(_ value: Double) -> Int {
        let v = min(max(value, Double(low)), Double(high))
        return min(high, low + Int(((v - Double(low)) / Double(step)).rounded()) * step)
    }
}

/// A parameter that takes one of a list of choices, each stored as JSON text.
///
/// Choices may be any `Codable & Hashable` values (`suggestCategorical`
/// encodes them); two choices with equal JSON text are the same choice.
public struct CategoricalDistribution: Codable, Sendable, Hashable {
    /// The choices, in the order given.
    public let choices: [JSONText]

    /// Checks and creates a distribution: at least one choice, no two equal.
    public init(choices: [JSONText], name: String = "parameter") throws {
        guard !choices.isEmpty else {
            throw TuneError(.invalidChoices, "parameter \"\(name)\": a categorical needs at least one choice")
        }
        guard Set(choices).count == choices.count else {
            throw TuneError(.invalidChoices, "parameter \"\(name)\": the choices \(choices) repeat a value",
                            hint: "list each choice once")
        }
        self.choices = choices
    }

    /// Whether `value` is the index of a choice.
    public func contains(_ value: Double) -> Bool {
        value == value.rounded() && value >= 0 && value < Double(choices.count)
    }
}

/// Where a parameter's values come from: a float, an integer or a
/// categorical distribution.
///
/// Serialized (for storages) as one flat JSON object with a `type` field:
/// `{"type": "float", "low": 0.001, "high": 0.1, "log": true}`,
/// `{"type": "int", "low": 8, "high": 256, "log": false, "step": 1}`,
/// `{"type": "categorical", "choices": ["\"gbdt\"", "\"rf\""]}`.
public enum ParameterDistribution: Codable, Sendable, Hashable {
    /// A real parameter.
    case float(FloatDistribution)
    /// An integer parameter.
    case int(IntDistribution)
    /// A choice among listed values.
    case categorical(CategoricalDistribution)

    /// Whether an internal value (see `TrialParameter`) belongs to the distribution.
    public func contains(_ internalValue: Double) -> Bool {
        switch self {
        case .float(let d): d.contains(internalValue)
        case .int(let d): d.contains(internalValue)
        case .categorical(let d): d.contains(internalValue)
        }
    }

    /// The user's value for an internal value: the number, or the chosen JSON text.
    public func externalValue(_ internalValue: Double) -> JSONText {
        switch self {
        case .float: JSONText(raw: internalValue.isFinite ? JSONText.number(internalValue) : "null")
        case .int: JSONText(raw: String(Int(internalValue)))
        case .categorical(let d):
            d.contains(internalValue) ? d.choices[Int(internalValue)] : JSONText(raw: "null")
        }
    }

    /// True for a categorical distribution.
    public var isCategorical: Bool {
        if case .categorical = self { return true }
        return false
    }

    /// True when the distribution has exactly one value.
    public var isSingleValue: Bool {
        switch self {
        case .float(let d): d.low == d.high
        case .int(let d): d.low == d.high
        case .categorical(let d): d.choices.count == 1
        }
    }

    private enum CodingKeys: String, CodingKey { case type, low, high, log, step, choices }

    public init(from decoder: any Decoder) throws {
        try self.init(decoding: decoder, name: "parameter")
    }

    /// Decodes a distribution whose range errors name the parameter `name`
    /// (a search space knows the name; a bare distribution does not).
    init(decoding decoder: any Decoder, name: String) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        do {
            switch type {
            case "float":
                self = .float(try FloatDistribution(
                    low: try c.decode(Double.self, forKey: .low), high: try c.decode(Double.self, forKey: .high),
                    log: try c.decodeIfPresent(Bool.self, forKey: .log) ?? false,
                    step: try c.decodeIfPresent(Double.self, forKey: .step), name: name))
            case "int":
                self = .int(try IntDistribution(
                    low: try c.decode(Int.self, forKey: .low), high: try c.decode(Int.self, forKey: .high),
                    log: try c.decodeIfPresent(Bool.self, forKey: .log) ?? false,
                    step: try c.decodeIfPresent(Int.self, forKey: .step) ?? 1, name: name))
            case "categorical":
                self = .categorical(try CategoricalDistribution(choices: try c.decode([JSONText].self, forKey: .choices), name: name))
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .type, in: c, debugDescription: "unknown distribution type \"\(type)\" (float, int, categorical)")
            }
        } catch let error as TuneError {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .float(let d):
            try c.encode("float", forKey: .type)
            try c.encode(d.low, forKey: .low)
            try c.encode(d.high, forKey: .high)
            try c.encode(d.log, forKey: .log)
            try c.encodeIfPresent(d.step, forKey: .step)
        case .int(let d):
            try c.encode("int", forKey: .type)
            try c.encode(d.low, forKey: .low)
            try c.encode(d.high, forKey: .high)
            try c.encode(d.log, forKey: .log)
            try c.encode(d.step, forKey: .step)
        case .categorical(let d):
            try c.encode("categorical", forKey: .type)
            try c.encode(d.choices, forKey: .choices)
        }
    }
}
