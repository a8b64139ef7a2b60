#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore
import ParetoData

/// An `MLPModel` with its dense layers stored in fewer bits: a smaller file
/// and, for int8, integer arithmetic.
///
/// - `.int8`: post-training quantization. Each dense layer's weights get one
///   scale per output channel (`max |w| / 127`, symmetric, so codes lie in
///   −127…127); its input gets one scale calibrated on sample rows
///   (`max |x| / 127` over those rows). A layer then runs as
///   `y = (Σ qx·qw) · sx·sw[j] + b[j]` with the int32 sums from `Int8GEMM`
///   (VNNI / AVX2 / portable). Inputs beyond the calibrated range clip.
/// - `.float16`: weights stored as IEEE binary16 (half the file); they are
///   widened once at load and run through the float GEMM, so speed is
///   unchanged — the gain is size only.
///
/// Embedding tables, biases and scales stay Float32 (they are small). Only
/// perceptrons quantize: dense layers with ReLU, GELU, tanh or sigmoid
/// between them (dropout is dropped; it is the identity in inference).
/// Layer or batch norm and residual blocks are refused.
public struct QuantizedMLP: TabularModel, Equatable {
    /// The kind written in the model file's header.
    public static let fileKind = "mlp-quantized"

    /// How the dense weights are stored.
    public enum Format: String, Codable, Sendable, CaseIterable {
        /// 8-bit integers with per-channel scales, run by `Int8GEMM`.
        case int8
        /// IEEE half precision, widened at load.
        case float16
        /// Float32, as trained: the reference the other formats are measured
        /// against, run by the same code.
        case float32
    }

    /// The non-linearity after a dense layer.
    public enum Activation: String, Codable, Sendable {
        case identity, relu, gelu, tanh, sigmoid
    }

    /// One dense layer and the activation after it.
    public struct Dense: Sendable, Equatable {
        /// Input and output widths.
        public var inputs: Int, outputs: Int
        /// Applied after the layer.
        public var activation: Activation
        /// One bias per output.
        public var bias: [Float]
        /// `.int8`: `outputs × inputs` codes, one output channel per row.
        public var codes: [Int8]
        /// `.int8`: one scale per output channel.
        public var weightScales: [Float]
        /// `.int8`: each input's scale (its calibrated `max |x| / 127`):
        /// input `i` is coded as `x / inputScales[i]`, and the weights absorb
        /// the scale (`w·inputScales[i]` is what gets per-channel codes), so
        /// one wide-ranged input (an outlier-heavy column) does not cost the
        /// others their resolution.
        public var inputScales: [Float]
        /// `.int8`: the codes packed for the kernel (derived, not stored).
        public var packed: Int8GEMM.Packed? = nil
        /// `.float16`/`.float32`: the weights (inputs × outputs, as
        /// `Network` stores them; for float16 rounded to half precision),
        /// as Float32 for the GEMM.
        public var floatWeights: [Float]
    }

    /// The target column's name.
    public var target: String
    /// Binary, multiclass or regression.
    public var task: TaskKind
    /// Class labels by class index (classification only).
    public var classLabels: [String]
    /// How columns become inputs (as the original model's).
    public var encoding: TableEncoding
    /// Regression: outputs are `value · targetScale + targetMean`.
    public var targetMean: Double, targetScale: Double
    /// The storage format.
    public var format: Format
    /// The embedding tables (Float32), column after column.
    public var embeddings: [Float]
    /// The dense layers, first to last.
    public var layers: [Dense]

    /// The width of the first layer's input (numbers plus embeddings).
    public var inputWidth: Int { encoding.numericWidth + encoding.categoricalInputs.reduce(0) { $0 + $1.dimension } }

    /// Quantizes `model`, calibrating int8 input ranges on up to
    /// `calibrationRows` rows of `calibration` (its first rows).
    ///
    /// Cost: one float forward pass over the calibration rows, one pass over
    /// the weights.
    /// - Throws: `UsageError` for a network this format cannot run (see the
    ///   type's notes) or calibration rows missing a feature column.
    public init(_ model: MLPModel, format: Format, calibration: DataFrame, calibrationRows: Int = 4_096) throws {
        target = model.target
        task = model.task
        classLabels = model.classLabels
        encoding = model.encoding
        targetMean = model.targetMean
        targetScale = model.targetScale
        self.format = format
        let architecture = model.network.architecture
        let parameters = model.network.parameters
        var offset = architecture.categoricalInputs.reduce(0) { $0 + $1.cardinality * $1.dimension }
        embeddings = Array(parameters[0..<offset])
        // Dense layers and their activations.
        var plan: [(inputs: Int, outputs: Int, activation: Activation, offset: Int)] = []
        var width = architecture.inputWidth
        for (index, layer) in architecture.layers.enumerated() {
            switch layer {
            case .dense(let outputs):
                plan.append((width, outputs, .identity, offset))
                offset += width * outputs + outputs
                width = outputs
            case .relu, .gelu, .tanh, .sigmoid:
                guard let last = plan.last, last.activation == .identity,
                      index > 0, case .dense = architecture.layers[index - 1] else {
                    throw UsageError("layer \(index) (\(layer)) does not follow a dense layer",
                                     hint: "only perceptrons (dense + activation) quantize")
                }
                let activation: Activation = layer == .relu ? .relu : layer == .gelu ? .gelu : layer == .tanh ? .tanh : .sigmoid
                plan[plan.count - 1].activation = activation
            case .dropout: continue
            default:
                throw UsageError("layer \(index) is \(layer), which quantization does not handle",
                                 hint: "only perceptrons (dense + activation, dropout) quantize")
            }
        }
        guard offset == parameters.count, !plan.isEmpty else {
            throw UsageError("the network's parameters do not match its layers")
        }
        layers = plan.map { p in
            Dense(inputs: p.inputs, outputs: p.outputs, activation: p.activation,
                  bias: Array(parameters[(p.offset + p.inputs * p.outputs)..<(p.offset + p.inputs * p.outputs + p.outputs)]),
                  codes: [], weightScales: [], inputScales: [], packed: nil, floatWeights: [])
        }
        // Calibrate: the largest |input| of each layer over the sample rows (float forward).
        var ranges = plan.map { [Float](repeating: 0, count: $0.inputs) }
        if format == .int8 {
            let sample = calibration.rows(0..<min(calibration.rowCount, max(1, calibrationRows)))
            let inputs = try encoding.encode(sample)
            let n = sample.rowCount
            var x = embed(numeric: inputs.numeric, codes: inputs.codes, rows: n)
            for (l, p) in plan.enumerated() {
                for r in 0..<n {
                    for i in 0..<p.inputs { ranges[l][i] = max(ranges[l][i], abs(x[r * p.inputs + i])) }
                }
                var y = [Float](repeating: 0, count: n * p.outputs)
                parameters.withUnsafeBufferPointer { w in
                    x.withUnsafeBufferPointer { xb in
                        y.withUnsafeMutableBufferPointer { yb in
                            GEMM.multiply(m: n, n: p.outputs, k: p.inputs, a: xb.baseAddress!, lda: p.inputs,
                                          b: w.baseAddress! + p.offset, ldb: p.outputs, c: yb.baseAddress!, ldc: p.outputs,
                                          epilogue: .bias(w.baseAddress! + p.offset + p.inputs * p.outputs), threads: nil)
                        }
                    }
                }
                Self.activate(&y, p.activation)
                x = y
            }
        }
        for (l, p) in plan.enumerated() {
            switch format {
            case .int8:
                let inputScales = ranges[l].map { $0 > 0 && $0.isFinite ? $0 / 127 : 1 }
                var codes = [Int8](repeating: 0, count: p.inputs * p.outputs)
                var scales = [Float](repeating: 1, count: p.outputs)
                for j in 0..<p.outputs {
                    var peak: Float = 0
                    for i in 0..<p.inputs { peak = max(peak, abs(parameters[p.offset + i * p.outputs + j] * inputScales[i])) }
                    let scale = peak > 0 ? peak / 127 : 1
                    scales[j] = scale
                    for i in 0..<p.inputs {
                        codes[j * p.inputs + i] = Self.code(parameters[p.offset + i * p.outputs + j] * inputScales[i] / scale)
                    }
                }
                layers[l].codes = codes
                layers[l].packed = Int8GEMM.Packed(codes: codes, n: p.outputs, k: p.inputs)
                layers[l].weightScales = scales
                layers[l].inputScales = inputScales
            case .float16, .float32:
                let weights = Array(parameters[p.offset..<(p.offset + p.inputs * p.outputs)])
                layers[l].floatWeights = format == .float16 ? Self.widen(Self.narrow(weights)) : weights
            }
        }
    }

    /// A value rounded to the nearest int8 code in −127…127 (NaN → 0).
    @inline(__always)
    static func code(_ x: Float) -> Int8 {
        guard !x.isNaN else { return 0 }
        return Int8(max(-127, min(127, x.rounded(.toNearestOrEven))))
    }

    static func narrow(_ values: [Float]) -> [UInt16] {
        var half = [Float16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { s in
            half.withUnsafeMutableBufferPointer { d in
                if !values.isEmpty { HalfPrecision.convert(s.baseAddress!, toFloat16: d.baseAddress!, count: values.count) }
            }
        }
        return half.map(\.bitPattern)
    }

    static func widen(_ bits: [UInt16]) -> [Float] {
        let half = bits.map { Float16(bitPattern: $0) }
        var out = [Float](repeating: 0, count: bits.count)
        half.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                if !bits.isEmpty { HalfPrecision.convert(s.baseAddress!, toFloat: d.baseAddress!, count: bits.count) }
            }
        }
        return out
    }

    static func activate(_ y: inout [Float], _ activation: Activation) {
        y.withUnsafeMutableBufferPointer { activate($0.baseAddress!, count: $0.count, activation) }
    }

    static func activate(_ y: UnsafeMutablePointer<Float>, count: Int, _ activation: Activation) {
        switch activation {
        case .identity: return
        case .relu: for i in 0..<count where y[i] < 0 { y[i] = 0 }
        case .gelu: for i in 0..<count { y[i] = y[i] * 0.5 * erfcf(-y[i] * 0.707_106_77) }
        case .tanh: for i in 0..<count { y[i] = tanhf(y[i]) }
        case .sigmoid: for i in 0..<count { y[i] = 1 / (1 + expf(-y[i])) }
        }
    }

    /// Rows of [numbers, embeddings…].
    func embed(numeric: [Float], codes: [Int32], rows: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * inputWidth)
        out.withUnsafeMutableBufferPointer { o in
            numeric.withUnsafeBufferPointer { x in
                codes.withUnsafeBufferPointer { c in
                    embed(numeric: x.baseAddress, codes: c.baseAddress, rows: rows, into: o.baseAddress!)
                }
            }
        }
        return out
    }

    func embed(numeric: UnsafePointer<Float>?, codes: UnsafePointer<Int32>?, rows: Int, into out: UnsafeMutablePointer<Float>) {
        let numbers = encoding.numericWidth, columns = encoding.categoricalInputs, width = inputWidth
        for r in 0..<rows {
            let row = out + r * width
            if numbers > 0 { row.update(from: numeric! + r * numbers, count: numbers) }
            var position = numbers, table = 0
            for (k, column) in columns.enumerated() {
                let code = Int(codes![r * columns.count + k])
                for d in 0..<column.dimension { row[position + d] = embeddings[table + code * column.dimension + d] }
                position += column.dimension
                table += column.cardinality * column.dimension
            }
        }
    }

    /// The number of raw outputs per row.
    public var outputCount: Int { layers.last!.outputs }

    /// Raw outputs (logits, or standardized values for regression),
    /// row-major `rowCount × outputCount`, computed in blocks of `runner`'s
    /// capacity.
    public func rawOutputs(numeric: [Float], codes: [Int32], rowCount: Int, threads: Int? = 1) -> [Float] {
        let runner = Runner(self, capacity: min(1_024, max(1, rowCount)))
        var output = [Float](repeating: 0, count: rowCount * outputCount)
        numeric.withUnsafeBufferPointer { x in
            codes.withUnsafeBufferPointer { c in
                output.withUnsafeMutableBufferPointer { o in
                    var start = 0
                    while start < rowCount {
                        let rows = min(runner.capacity, rowCount - start)
                        runner.run(numeric: x.baseAddress.map { $0 + start * encoding.numericWidth },
                                   codes: c.baseAddress.map { $0 + start * encoding.categoricalInputs.count },
                                   rows: rows, into: o.baseAddress! + start * outputCount, threads: threads)
                        start += rows
                    }
                }
            }
        }
        return output
    }

    /// Predictions as `MLPModel.predict` gives them (probabilities per class,
    /// or values).
    ///
    /// - Throws: `UsageError` for a missing or retyped column.
    public func predict(_ frame: DataFrame, threads: Int? = nil) throws -> Predictions {
        let inputs = try encoding.encode(frame)
        let outputs = rawOutputs(numeric: inputs.numeric, codes: inputs.codes, rowCount: frame.rowCount, threads: threads)
        return MLPModel.predictions(outputs, rows: frame.rowCount, task: task, classLabels: classLabels,
                                    targetMean: targetMean, targetScale: targetScale)
    }

    /// Saves the model to `path` in Pareto's model format (atomically).
    public func save(to path: String) throws {
        try ModelFile.write(self, kind: Self.fileKind, to: path)
    }

    /// Loads a model saved by `save(to:)`.
    ///
    /// - Throws: `FileError` for a missing, foreign, truncated, corrupted,
    ///   future-version or inconsistent file.
    public static func load(from path: String) throws -> QuantizedMLP {
        let model = try ModelFile.read(QuantizedMLP.self, kind: fileKind, from: path)
        var width = model.inputWidth
        for (l, layer) in model.layers.enumerated() {
            let weights = model.format == .int8 ? layer.codes.count : layer.floatWeights.count
            guard layer.inputs == width, layer.outputs >= 1, layer.bias.count == layer.outputs,
                  weights == layer.inputs * layer.outputs,
                  model.format != .int8 || (layer.weightScales.count == layer.outputs && layer.inputScales.count == layer.inputs)
            else { throw FileError(path: path, "the model is inconsistent: layer \(l) does not fit", hint: "save the model again") }
            width = layer.outputs
        }
        guard !model.layers.isEmpty, model.embeddings.count == model.encoding.categoricalInputs.reduce(0, { $0 + $1.cardinality * $1.dimension })
        else { throw FileError(path: path, "the model is inconsistent: its layers do not fit its inputs") }
        return model
    }

    /// Reusable buffers for running a quantized network on up to `capacity`
    /// rows at a time: allocated once, so single-row calls allocate nothing.
    public final class Runner: @unchecked Sendable {
        let model: QuantizedMLP
        /// The most rows one `run` takes.
        public let capacity: Int
        let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>
        let q: UnsafeMutablePointer<Int8>, acc: UnsafeMutablePointer<Int32>
        /// Per int8 layer: 1 / each input's scale (multiplying is cheaper than dividing).
        let inverseScales: [[Float]]

        /// Buffers for `model` and up to `capacity` rows.
        public init(_ model: QuantizedMLP, capacity: Int) {
            self.model = model
            self.capacity = max(1, capacity)
            let widest = model.layers.reduce(model.inputWidth) { max($0, $1.outputs) }
            a = .allocate(capacity: self.capacity * widest)
            b = .allocate(capacity: self.capacity * widest)
            q = .allocate(capacity: self.capacity * widest)
            acc = .allocate(capacity: self.capacity * widest)
            inverseScales = model.layers.map { layer in layer.inputScales.map { 1 / $0 } }
        }

        deinit {
            a.deallocate()
            b.deallocate()
            q.deallocate()
            acc.deallocate()
        }

        /// Writes `rows` (≤ capacity) rows of raw outputs to `output`.
        public func run(numeric: UnsafePointer<Float>?, codes: UnsafePointer<Int32>?, rows: Int,
                        into output: UnsafeMutablePointer<Float>, threads: Int? = 1) {
            precondition(rows <= capacity, "more rows than the runner's capacity")
            model.embed(numeric: numeric, codes: codes, rows: rows, into: a)
            var x = a, spare = b
            for (l, layer) in model.layers.enumerated() {
                let n = layer.outputs, k = layer.inputs
                let last = l == model.layers.count - 1
                let target = last ? output : spare
                switch model.format {
                case .int8:
                    inverseScales[l].withUnsafeBufferPointer { inverse in
                        Int8GEMM.quantize(rows: rows, cols: k, x: x, ldx: k, inverseScales: inverse.baseAddress!, codes: q)
                    }
                    Int8GEMM.multiply(m: rows, a: q, lda: k, packed: layer.packed!, c: acc, ldc: n, threads: threads)
                    layer.weightScales.withUnsafeBufferPointer { s in
                        layer.bias.withUnsafeBufferPointer { bias in
                            Int8GEMM.dequantize(rows: rows, cols: n, acc: acc, scales: s.baseAddress!, bias: bias.baseAddress!,
                                                relu: layer.activation == .relu, y: target, ldy: n)
                        }
                    }
                case .float16, .float32:
                    layer.floatWeights.withUnsafeBufferPointer { w in
                        layer.bias.withUnsafeBufferPointer { bias in
                            GEMM.multiply(m: rows, n: n, k: k, a: x, lda: k, b: w.baseAddress!, ldb: n, c: target, ldc: n,
                                          epilogue: .bias(bias.baseAddress!), threads: threads)
                        }
                    }
                }
                if !(model.format == .int8 && layer.activation == .relu) {
                    QuantizedMLP.activate(target, count: rows * n, layer.activation)
                }
                if !last {
                    spare = x
                    x = target
                }
            }
        }
    }
}

extension QuantizedMLP {
    enum CodingKeys: String, CodingKey {
        case target, task, classLabels, encoding, targetMean, targetScale, format, embeddings, layers
    }
    enum LayerKeys: String, CodingKey {
        case inputs, outputs, activation, bias, codes, weightScales, inputScales, floatWeights
    }

    /// Decodes the compact layout `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        target = try c.decode(String.self, forKey: .target)
        task = try c.decode(TaskKind.self, forKey: .task)
        classLabels = try c.decode([String].self, forKey: .classLabels)
        encoding = try c.decode(TableEncoding.self, forKey: .encoding)
        targetMean = try c.decode(Double.self, forKey: .targetMean)
        targetScale = try c.decode(Double.self, forKey: .targetScale)
        format = try c.decode(Format.self, forKey: .format)
        embeddings = try PackedBytes.decode(UInt32.self, .embeddings, from: c).map(Float.init(bitPattern:))
        var list = try c.nestedUnkeyedContainer(forKey: .layers)
        var layers: [Dense] = []
        while !list.isAtEnd {
            let l = try list.nestedContainer(keyedBy: LayerKeys.self)
            var codes: [Int8] = [], scales: [Float] = [], weights: [Float] = [], scales2: [Float] = []
            switch format {
            case .int8:
                scales2 = try PackedBytes.decode(UInt32.self, .inputScales, from: l).map(Float.init(bitPattern:))
                codes = try PackedBytes.decode(Int8.self, .codes, from: l)
                scales = try PackedBytes.decode(UInt32.self, .weightScales, from: l).map(Float.init(bitPattern:))
            case .float16:
                weights = QuantizedMLP.widen(try PackedBytes.decode(UInt16.self, .floatWeights, from: l))
            case .float32:
                weights = try PackedBytes.decode(UInt32.self, .floatWeights, from: l).map(Float.init(bitPattern:))
            }
            layers.append(Dense(
                inputs: try l.decode(Int.self, forKey: .inputs), outputs: try l.decode(Int.self, forKey: .outputs),
                activation: try l.decode(Activation.self, forKey: .activation),
                bias: try PackedBytes.decode(UInt32.self, .bias, from: l).map(Float.init(bitPattern:)),
                codes: codes, weightScales: scales, inputScales: scales2,
                packed: nil, floatWeights: weights))
            if format == .int8, let last = layers.last, last.codes.count == last.inputs * last.outputs {
                layers[layers.count - 1].packed = Int8GEMM.Packed(codes: last.codes, n: last.outputs, k: last.inputs)
            }
        }
        self.layers = layers
    }

    /// Writes weights as packed bytes: int8 codes, or half-precision bit
    /// patterns (each half weight is exactly a Float16, so narrowing the
    /// widened values again loses nothing).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(target, forKey: .target)
        try c.encode(task, forKey: .task)
        try c.encode(classLabels, forKey: .classLabels)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(targetMean, forKey: .targetMean)
        try c.encode(targetScale, forKey: .targetScale)
        try c.encode(format, forKey: .format)
        try PackedBytes.encode(embeddings.map(\.bitPattern), .embeddings, into: &c)
        var list = c.nestedUnkeyedContainer(forKey: .layers)
        for layer in layers {
            var l = list.nestedContainer(keyedBy: LayerKeys.self)
            try l.encode(layer.inputs, forKey: .inputs)
            try l.encode(layer.outputs, forKey: .outputs)
            try l.encode(layer.activation, forKey: .activation)
            try PackedBytes.encode(layer.bias.map(\.bitPattern), .bias, into: &l)
            switch format {
            case .int8:
                try PackedBytes.encode(layer.codes, .codes, into: &l)
                try PackedBytes.encode(layer.weightScales.map(\.bitPattern), .weightScales, into: &l)
                try PackedBytes.encode(layer.inputScales.map(\.bitPattern), .inputScales, into: &l)
            case .float16:
                try PackedBytes.encode(QuantizedMLP.narrow(layer.floatWeights), .floatWeights, into: &l)
            case .float32:
                try PackedBytes.encode(layer.floatWeights.map(\.bitPattern), .floatWeights, into: &l)
            }
        }
    }
}

extension MLPModel {
    /// Predictions from raw network outputs (row-major, one or `classLabels.count` per row).
    static func predictions(_ outputs: [Float], rows: Int, task: TaskKind, classLabels: [String],
                            targetMean: Double, targetScale: Double) -> Predictions {
        let k = task == .multiclass ? classLabels.count : 1
        let values: [[Double]] = (0..<rows).map { row in
            let z = outputs[(row * k)..<((row + 1) * k)].map(Double.init)
            switch task {
            case .regression: return [z[0] * targetScale + targetMean]
            case .binary:
                let p = sigmoid(z[0])
                return [1 - p, p]
            case .multiclass:
                let peak = z.max()!
                let e = z.map { exp($0 - peak) }
                let total = e.reduce(0, +)
                return e.map { $0 / total }
            }
        }
        return Predictions(task: task, classLabels: classLabels, values: values)
    }
}
