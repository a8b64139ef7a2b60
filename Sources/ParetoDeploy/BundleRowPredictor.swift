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

/// One row's prediction from a `BundleRowPredictor`.
///
/// `probabilities` points into the predictor's own buffer: it is valid
/// until the predictor's next `predict()` (or its end); copy it to keep it.
public struct BundleRowPrediction {
    /// Regression: the value. Binary: the calibrated probability of the
    /// second class (the one the threshold is applied to). Several
    /// classes: the probability of the chosen class.
    public var value: Double
    /// The chosen class's index in the predictor's `classLabels` (−1 for
    /// regression).
    public var classIndex: Int
    /// The chosen class label, as `ModelBundle.labels` decides it (nil for
    /// regression, where that is the value).
    public var label: String?
    /// The calibrated probability of every class in `classLabels` order (or
    /// the single value for regression).
    public var probabilities: UnsafeBufferPointer<Double>
}

/// A bundle compiled for predicting one row at a time without building a
/// table: the caller sets each input cell (by schema position, found once
/// with `column(named:)`), then calls `predict()`, which runs the
/// bundle's pipeline, model, blend, calibration and threshold.
///
/// ```swift
/// let predictor = try bundle.makeRowPredictor()
/// let age = try predictor.column(named: "age"), job = try predictor.column(named: "job")
/// try predictor.setNumber(39, at: age)
/// try predictor.setText("clerk", at: job)
/// let row = try predictor.predict()   // row.label, row.value, row.probabilities
/// ```
///
/// Rules:
/// - It gives what `ModelBundle.predict(frame)` and `labels(_:)` give for
///   the same one-row table, bit for bit: each family is compiled into the
///   same operations in the same order (trees on raw values, categories as
///   their training bin; linear and logistic models with imputation,
///   scaling and one-hot encoding folded into per-column terms and
///   per-level coefficient lookups; networks through their encoding and a
///   one-row forward pass (`NetworkRowForward`); the prior as its
///   constant; blends,
///   calibration and threshold as the bundle applies them). Bad input
///   fails as the frame path fails: an error naming the column (a missing
///   value where the model needs one, infinity where the pipeline refuses
///   it, text that is not a number or truth value); a level seen in no
///   training row is handled as the frame path handles it (trees: the
///   missing bin; one-hot: the infrequent column or zeros).
/// - Parts the row path does not compile fall back transparently to the
///   frame path for that part (the current cells as a one-row table):
///   linear pipelines with steps other than imputation (numbers),
///   standardization, one-hot encoding and an empty date-parts step (the
///   optimizer's `Pipeline.linearPreprocessing()` on a table with
///   date-time columns, say). `isAllocationFree` says whether any part falls
///   back, `fallbackReasons` says which and why.
/// - Cells keep their values between calls; every cell starts missing.
/// - Not thread-safe: it owns its scratch buffers. Make one per thread
///   (making one is cheap next to loading the bundle).
///
/// Cost: `makeRowPredictor` compiles once (O(model size)); `predict()`
/// then allocates nothing when `isAllocationFree` — trees cost one walk
/// of each tree, linear models one term per input column.
public final class BundleRowPredictor {
    /// The input columns, by schema position (the bundle's `inputSchema`).
    public let columns: [BundleColumn]
    /// The labels of `BundleRowPrediction.probabilities` (empty for regression).
    public let classLabels: [String]
    /// The bundle's task.
    public let task: TaskKind
    /// Whether every part is compiled, so `predict()` allocates nothing.
    public let isAllocationFree: Bool
    /// Which parts go through the frame path, and why (empty when none).
    public let fallbackReasons: [String]

    private let bundle: ModelBundle
    private let positions: [String: Int]
    private let vocabularies: [BundleLevelTable?]
    private let numbers: UnsafeMutablePointer<Double>
    private let levels: UnsafeMutablePointer<Int32>
    /// Text cells, and unseen levels' texts when a part falls back (the
    /// frame path needs them); otherwise unused.
    private var texts: [String?]
    private var keepsTexts = false
    private let root: any BundleRowScorer
    private let outputs: UnsafeMutablePointer<Double>
    private let outputCount: Int
    /// Binary with a threshold: the output indices of the bundle's two class labels.
    private let thresholdClasses: (Int, Int)?
    /// Room for a number's text, NUL-terminated, for `strtod`.
    private let scratchText: UnsafeMutablePointer<CChar>
    private static let scratchTextCapacity = 128

    /// Compiles `bundle` (see `ModelBundle.makeRowPredictor`).
    init(_ bundle: ModelBundle) throws {
        self.bundle = bundle
        columns = bundle.inputSchema
        task = bundle.task
        var positions: [String: Int] = [:]
        for (i, column) in columns.enumerated() where positions[column.name] == nil { positions[column.name] = i }
        self.positions = positions
        var known: [String: [String]] = [:]
        bundle.model.collectLevels(into: &known)
        vocabularies = columns.map { column in
            column.kind == .categorical ? BundleLevelTable(known[column.name] ?? []) : nil
        }
        let n = max(1, columns.count)
        numbers = .allocate(capacity: n)
        numbers.initialize(repeating: .nan, count: n)
        levels = .allocate(capacity: n)
        levels.initialize(repeating: -1, count: n)
        texts = Array(repeating: nil, count: columns.count)
        scratchText = .allocate(capacity: Self.scratchTextCapacity + 1)
        classLabels = bundle.task == .regression ? [] : bundle.model.rowClassLabels
        outputCount = bundle.task == .regression ? 1 : classLabels.count
        outputs = .allocate(capacity: max(1, outputCount))
        outputs.initialize(repeating: .nan, count: max(1, outputCount))
        if bundle.task == .binary, bundle.threshold != nil, bundle.classLabels.count == 2 {
            thresholdClasses = (classLabels.firstIndex(of: bundle.classLabels[0]) ?? 0,
                                classLabels.firstIndex(of: bundle.classLabels[1]) ?? 1)
        } else {
            thresholdClasses = nil
        }
        // The fallback's frame builder reaches the cells through a weak box
        // (set below, once `self` exists), so the predictor is not retained by its scorers.
        let box = OwnerBox()
        let context = BundleRowContext(schema: columns, positions: positions, vocabularies: vocabularies,
                                       frame: { try box.owner?.currentFrame() ?? DataFrame([]) })
        let root = try bundle.model.rowScorer(context)
        guard root.outputCount == outputCount else {
            throw UsageError("the bundle's model gives \(root.outputCount) outputs per row, but it has \(outputCount) classes")
        }
        self.root = root
        isAllocationFree = root.allocationFree
        fallbackReasons = root.fallbackReasons
        keepsTexts = !root.allocationFree
        box.owner = self
    }

    /// A weak reference to the predictor, for its fallback scorers.
    private final class OwnerBox {
        weak var owner: BundleRowPredictor?
    }

    deinit {
        numbers.deallocate()
        levels.deallocate()
        outputs.deallocate()
        scratchText.deallocate()
    }

    /// The schema position of the column `name`.
    ///
    /// - Throws: `UsageError` naming the column when the bundle has none
    ///   of that name (with the columns it has).
    public func column(named name: String) throws -> Int {
        guard let position = positions[name] else {
            throw UsageError("the model has no input column \"\(name)\"",
                             hint: "its columns are: \(columns.map(\.name).joined(separator: ", "))")
        }
        return position
    }

    private func checkPosition(_ column: Int) {
        precondition(column >= 0 && column < columns.count, "column position \(column) is outside 0..<\(columns.count)")
    }

    /// Sets a numeric, boolean (0 or 1) or date-time (microseconds since
    /// 1970) cell; NaN means missing.
    ///
    /// - Throws: `UsageError` naming the column when it is categorical or
    ///   text, or a boolean cell gets anything but 0, 1 or NaN.
    public func setNumber(_ value: Double, at column: Int) throws {
        checkPosition(column)
        switch columns[column].kind {
        case .numeric, .datetime:
            numbers[column] = value
        case .boolean:
            guard value.isNaN || value == 0 || value == 1 else {
                throw UsageError("column \"\(columns[column].name)\" is boolean; \(value) is not 0 or 1",
                                 hint: "pass 0 (false), 1 (true) or NaN (missing)")
            }
            numbers[column] = value
        case .categorical, .text:
            throw UsageError("column \"\(columns[column].name)\" is \(columns[column].kind.rawValue); set it with setText",
                             hint: "pass the category as text")
        }
    }

    /// Marks a cell missing.
    public func setMissing(at column: Int) {
        checkPosition(column)
        numbers[column] = .nan
        levels[column] = -1
        if keepsTexts || columns[column].kind == .text { texts[column] = nil }
    }

    /// Sets a cell from its text as a CSV file holds it: a category, a
    /// number, `true`/`false` (any case), an ISO-8601 date-time, or one of
    /// the CSV reader's missing tokens (`CSVOptions.defaultMissingTokens`:
    /// empty, `NA`, `N/A`, `NaN`, `null`, `?`) for a missing value.
    ///
    /// Cost: categories are looked up in a precomputed table of the
    /// training levels' bytes and numbers parsed in place, without
    /// allocating (text cells and date-times may allocate).
    ///
    /// - Throws: `UsageError` naming the column for text that is not a
    ///   number (numeric columns), a truth value (boolean) or a date-time.
    public func setText(_ text: String, at column: Int) throws {
        var bytes = text
        try bytes.withUTF8 { try setText(bytes: $0, at: column, original: text) }
    }

    /// `setText` for a substring (of a line being split, say).
    public func setText(_ text: Substring, at column: Int) throws {
        var text = text
        try text.withUTF8 { try setText(bytes: $0, at: column, original: nil) }
    }

    /// `setText` for a cell's UTF-8 bytes.
    public func setText(utf8 bytes: UnsafeBufferPointer<UInt8>, at column: Int) throws {
        try setText(bytes: bytes, at: column, original: nil)
    }

    private func setText(bytes: UnsafeBufferPointer<UInt8>, at column: Int, original: String?) throws {
        checkPosition(column)
        let kind = columns[column].kind
        if kind != .text, Self.isMissingToken(bytes) {
            setMissing(at: column)
            return
        }
        switch kind {
        case .categorical:
            let index = vocabularies[column]!.index(of: bytes)
            levels[column] = index >= 0 ? index : -2
            if keepsTexts { texts[column] = index >= 0 ? nil : (original ?? String(decoding: bytes, as: UTF8.self)) }
        case .numeric:
            guard let value = parseNumber(bytes) else {
                throw UsageError("column \"\(columns[column].name)\" is numeric; \"\(String(decoding: bytes, as: UTF8.self))\" is not a number",
                                 hint: "pass a number, or a missing token such as NA")
            }
            numbers[column] = value
        case .boolean:
            guard let value = Self.parseBoolean(bytes) else {
                throw UsageError("column \"\(columns[column].name)\" is boolean; \"\(String(decoding: bytes, as: UTF8.self))\" is not true or false",
                                 hint: "pass true or false (any case), or a missing token such as NA")
            }
            numbers[column] = value ? 1 : 0
        case .datetime:
            let string = original ?? String(decoding: bytes, as: UTF8.self)
            guard let parsed = ISO8601.parse(string) else {
                throw UsageError("column \"\(columns[column].name)\" is a date-time; \"\(string)\" is not an ISO-8601 date or date-time",
                                 hint: "pass a date such as 2024-05-01 or 2024-05-01T12:30:00Z")
            }
            numbers[column] = Double(parsed.microseconds)
        case .text:
            texts[column] = original ?? String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Whether `bytes` is one of the CSV reader's default missing tokens.
    private static func isMissingToken(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch bytes.count {
        case 0: return true
        case 1: return bytes[0] == UInt8(ascii: "?")
        case 2: return bytes[0] == UInt8(ascii: "N") && bytes[1] == UInt8(ascii: "A")
        case 3:
            return (bytes[0] == UInt8(ascii: "N") && bytes[1] == UInt8(ascii: "/") && bytes[2] == UInt8(ascii: "A"))
                || (bytes[0] == UInt8(ascii: "N") && bytes[1] == UInt8(ascii: "a") && bytes[2] == UInt8(ascii: "N"))
        case 4:
            return bytes[0] == UInt8(ascii: "n") && bytes[1] == UInt8(ascii: "u") && bytes[2] == UInt8(ascii: "l")
                && bytes[3] == UInt8(ascii: "l")
        default: return false
        }
    }

    /// `true`/`false` in any case, as the CSV reader reads booleans.
    private static func parseBoolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        func lower(_ i: Int) -> UInt8 { bytes[i] | 0x20 }
        if bytes.count == 4, lower(0) == UInt8(ascii: "t"), lower(1) == UInt8(ascii: "r"), lower(2) == UInt8(ascii: "u"),
           lower(3) == UInt8(ascii: "e") { return true }
        if bytes.count == 5, lower(0) == UInt8(ascii: "f"), lower(1) == UInt8(ascii: "a"), lower(2) == UInt8(ascii: "l"),
           lower(3) == UInt8(ascii: "s"), lower(4) == UInt8(ascii: "e") { return false }
        return nil
    }

    /// A decimal number (surrounding spaces and tabs allowed) parsed by
    /// `strtod` from a preallocated copy; nil for anything else.
    private func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        let length = end - start
        guard length > 0, length <= Self.scratchTextCapacity else { return nil }
        for i in 0..<length {
            let byte = bytes[start + i]
            // Digits, signs, the point and exponents only: no hex, inf or nan words.
            guard (byte >= 0x30 && byte <= 0x39) || byte == 0x2b || byte == 0x2d || byte == 0x2e || byte | 0x20 == 0x65
            else { return nil }
            scratchText[i] = CChar(bitPattern: byte)
        }
        scratchText[length] = 0
        var stop: UnsafeMutablePointer<CChar>?
        let value = strtod(scratchText, &stop)
        guard let stop, stop - scratchText == length else { return nil }
        return value
    }

    /// The current cells as a one-row table of the schema's kinds.
    private func currentFrame() throws -> DataFrame {
        var built: [Column] = []
        for (i, column) in columns.enumerated() {
            let value = numbers[i]
            switch column.kind {
            case .numeric: built.append(.numeric(column.name, [value]))
            case .boolean: built.append(.boolean(column.name, [value.isNaN ? nil : value != 0]))
            case .datetime:
                built.append(Column(name: column.name, values: .datetime(
                    DateTimeColumn(microseconds: [value.isNaN ? nil : Int64(value)], hasTime: true))))
            case .categorical:
                let code = Int(levels[i])
                let label: String? = code >= 0 ? vocabularies[i]!.levels[code] : code == -1 ? nil : texts[i] ?? "(unseen)"
                built.append(.categorical(column.name, [label]))
            case .text: built.append(.text(column.name, [texts[i]]))
            }
        }
        return try DataFrame(built)
    }

    /// The current row's prediction: pipeline, model, calibration and
    /// decision, as `ModelBundle.predict` then `labels` give them.
    ///
    /// - Throws: `UsageError` naming the column for input the model cannot
    ///   take (see the type's rules); the frame path's errors for parts
    ///   that fall back.
    public func predict() throws -> BundleRowPrediction {
        let cells = BundleRowCells(numbers: numbers, levels: levels)
        try root.predict(cells, into: outputs)
        return decide()
    }

    /// The pipeline stage alone (every part's inputs from the cells), for
    /// timing: what `predict()` does before the model's arithmetic.
    public func runPipelineStage() throws {
        try root.encode(BundleRowCells(numbers: numbers, levels: levels))
    }

    /// The model stage alone on the inputs the last `runPipelineStage()`
    /// prepared (no calibration or decision), for timing; returns the
    /// first uncalibrated output.
    public func runModelStage() throws -> Double {
        try root.score(into: outputs)
        return outputs[0]
    }

    /// Calibration and the decision, as the bundle applies them.
    private func decide() -> BundleRowPrediction {
        let probabilities = UnsafeBufferPointer(start: UnsafePointer(outputs), count: outputCount)
        guard task != .regression else {
            return BundleRowPrediction(value: outputs[0], classIndex: -1, label: nil, probabilities: probabilities)
        }
        switch bundle.calibration {
        case .none: break
        case .temperature(let calibrator):
            // As `BundleCalibration.calibrate`: logits log(max(p, 1e-15)),
            // then the calibrator's scaled softmax (rows of its class count).
            let k = calibrator.classCount
            if k > 0, outputCount % k == 0 {
                for c in 0..<outputCount { outputs[c] = log(max(outputs[c], 1e-15)) }
                let inverse = 1 / calibrator.temperature
                var row = 0
                while row < outputCount {
                    var largest = -Double.infinity
                    for j in row..<(row + k) { largest = max(largest, outputs[j]) }
                    var sum = 0.0
                    for j in row..<(row + k) {
                        outputs[j] = exp((outputs[j] - largest) * inverse)
                        sum += outputs[j]
                    }
                    for j in row..<(row + k) { outputs[j] /= sum }
                    row += k
                }
            }
        default:
            if outputCount == 2 {
                let p = bundle.calibration(outputs[1])
                outputs[0] = 1 - p
                outputs[1] = p
            }
        }
        if let (negative, positive) = thresholdClasses, let threshold = bundle.threshold {
            let index = threshold.isPositive(outputs[1]) ? positive : negative
            let label = threshold.isPositive(outputs[1]) ? bundle.classLabels[1] : bundle.classLabels[0]
            return BundleRowPrediction(value: outputs[1], classIndex: index, label: label, probabilities: probabilities)
        }
        // The most probable class, the first on ties (as `Predictions.labels`).
        var best = 0
        for c in 1..<max(1, outputCount) where outputs[best] < outputs[c] { best = c }
        return BundleRowPrediction(value: task == .binary ? outputs[1] : outputs[best], classIndex: best,
                                   label: classLabels[best], probabilities: probabilities)
    }
}

extension ModelBundle {
    /// A row predictor for this bundle: one row at a time, set cell by
    /// cell, without building a table (see `BundleRowPredictor`). Make one
    /// per thread.
    ///
    /// Cost: compiles the model once, O(model size).
    ///
    /// - Throws: `UsageError` when the model needs a column the schema
    ///   lacks or holds with another kind, or a blend is malformed (as the
    ///   frame path would fail on every row).
    public func makeRowPredictor() throws -> BundleRowPredictor {
        try BundleRowPredictor(self)
    }
}
