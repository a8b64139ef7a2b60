import ParetoCore
import ParetoData
import ParetoEval
import ParetoNeural

/// Magnitude pruning of an `MLPModel`'s dense layers, with fine-tuning.
public enum NetworkPruning {
    /// How weights are removed.
    public enum Kind: String, Sendable, Codable {
        /// The smallest |w| of each dense layer set to zero (the layer keeps
        /// its shape: the file shrinks only as far as zeros are shorter).
        case weights
        /// The hidden units of each hidden layer with the smallest incoming
        /// weight norm removed, with their outgoing weights: the network gets
        /// narrower (smaller and faster).
        case neurons
    }

    /// Dense layers of a perceptron: (input width, output width, weight offset).
    static func denseLayers(_ network: Network) throws -> [(inputs: Int, outputs: Int, offset: Int)] {
        let architecture = network.architecture
        var offset = architecture.categoricalInputs.reduce(0) { $0 + $1.cardinality * $1.dimension }
        var width = architecture.inputWidth
        var layers: [(Int, Int, Int)] = []
        for (index, layer) in architecture.layers.enumerated() {
            switch layer {
            case .dense(let outputs):
                layers.append((width, outputs, offset))
                offset += width * outputs + outputs
                width = outputs
            case .relu, .gelu, .tanh, .sigmoid, .dropout: continue
            default:
                throw UsageError("layer \(index) is \(layer), which pruning does not handle",
                                 hint: "only perceptrons (dense + activation, dropout) are pruned")
            }
        }
        return layers
    }

    /// `model` with `fraction` of each dense layer's weights (`.weights`) or
    /// of each hidden layer's units (`.neurons`, at least one kept) removed by
    /// magnitude, and the mask of weights that must stay zero (all true for
    /// `.neurons`, whose removal is structural).
    ///
    /// - Throws: `UsageError` for a fraction outside [0, 1) or a network
    ///   that is not a perceptron.
    public static func prune(_ model: MLPModel, fraction: Double, kind: Kind) throws -> (model: MLPModel, keep: [Bool]) {
        guard fraction.isFinite, fraction >= 0, fraction < 1 else {
            throw UsageError("the pruned fraction must be in [0, 1), got \(fraction)")
        }
        let layers = try denseLayers(model.network)
        var parameters = model.network.parameters
        switch kind {
        case .weights:
            var keep = [Bool](repeating: true, count: parameters.count)
            for layer in layers {
                let count = layer.inputs * layer.outputs
                let drop = Int((Double(count) * fraction).rounded(.down))
                guard drop > 0 else { continue }
                // Order by magnitude, ties by position: deterministic.
                let order = (0..<count).sorted {
                    let a = abs(parameters[layer.offset + $0]), b = abs(parameters[layer.offset + $1])
                    return a != b ? a < b : $0 < $1
                }
                for i in order.prefix(drop) {
                    parameters[layer.offset + i] = 0
                    keep[layer.offset + i] = false
                }
            }
            var pruned = model
            pruned.network.parameters = parameters
            return (pruned, keep)
        case .neurons:
            // Keep, per hidden layer, the units with the largest incoming weight norm.
            var kept: [[Int]] = []
            for (l, layer) in layers.enumerated() {
                guard l < layers.count - 1 else { kept.append(Array(0..<layer.outputs)); continue }
                let norms = (0..<layer.outputs).map { j -> Float in
                    var s: Float = 0
                    for i in 0..<layer.inputs { s += parameters[layer.offset + i * layer.outputs + j] * parameters[layer.offset + i * layer.outputs + j] }
                    return s
                }
                let keepCount = max(1, layer.outputs - Int((Double(layer.outputs) * fraction).rounded(.down)))
                let order = (0..<layer.outputs).sorted { norms[$0] != norms[$1] ? norms[$0] > norms[$1] : $0 < $1 }
                kept.append(order.prefix(keepCount).sorted())
            }
            let architecture = model.network.architecture
            var newLayers: [Layer] = []
            var d = 0
            for layer in architecture.layers {
                if case .dense = layer {
                    newLayers.append(.dense(kept[d].count))
                    d += 1
                } else {
                    newLayers.append(layer)
                }
            }
            let embeddingCount = architecture.categoricalInputs.reduce(0) { $0 + $1.cardinality * $1.dimension }
            var newParameters = Array(parameters[0..<embeddingCount])
            var inputsKept = Array(0..<architecture.inputWidth)
            for (l, layer) in layers.enumerated() {
                let outputsKept = kept[l]
                for i in inputsKept {
                    for j in outputsKept { newParameters.append(parameters[layer.offset + i * layer.outputs + j]) }
                }
                for j in outputsKept { newParameters.append(parameters[layer.offset + layer.inputs * layer.outputs + j]) }
                inputsKept = outputsKept
            }
            var network = try Network(NetworkArchitecture(numericInputs: architecture.numericInputs,
                                                          categoricalInputs: architecture.categoricalInputs,
                                                          layers: newLayers), seed: 0)
            network.parameters = newParameters
            var pruned = model
            pruned.network = network
            return (pruned, [Bool](repeating: true, count: newParameters.count))
        }
    }

    /// The share of dense weights (biases and embeddings excluded) that are zero.
    public static func zeroFraction(_ model: MLPModel) throws -> Double {
        var zeros = 0, total = 0
        for layer in try denseLayers(model.network) {
            for i in 0..<(layer.inputs * layer.outputs) where model.network.parameters[layer.offset + i] == 0 { zeros += 1 }
            total += layer.inputs * layer.outputs
        }
        return total == 0 ? 0 : Double(zeros) / Double(total)
    }

    /// Trains `model` further on `rows` for `epochs` epochs (Adam, small
    /// batches: more steps per epoch, since a pruned network needs many
    /// small corrections), one epoch
    /// at a time, zeroing the weights `keep` marks false after each, so the
    /// pruned weights stay pruned.
    ///
    /// Why one epoch at a time: the trainer has no per-step hook; pruned
    /// weights drift during an epoch and are reset at its end, and Adam's
    /// moments restart each epoch (a few epochs recover most of the loss).
    /// - Throws: `UsageError` for rows without the target; `NeuralError`
    ///   from training.
    public static func fineTune(_ model: MLPModel, keep: [Bool], rows: DataFrame, epochs: Int = 3,
                                learningRate: Double = 3e-3, batchSize: Int = 64, seed: UInt64 = 0,
                                threads: Int? = nil) throws -> MLPModel {
        guard epochs >= 1 else { throw UsageError("fine-tuning needs at least one epoch, got \(epochs)") }
        guard keep.count == model.network.parameters.count else { throw UsageError("the mask does not fit the network") }
        let data = try trainingData(model, rows)
        let loss: Loss
        switch model.task {
        case .regression: loss = .meanSquaredError
        case .binary: loss = .binaryCrossEntropy(labelSmoothing: 0)
        case .multiclass: loss = .softmaxCrossEntropy(labelSmoothing: 0)
        }
        var trainer = NetworkTrainer(loss: loss)
        trainer.epochs = 1
        trainer.learningRate = learningRate
        trainer.batchSize = batchSize
        trainer.threads = threads
        var network = model.network
        for epoch in 0..<epochs {
            trainer.seed = seed &+ UInt64(epoch)
            network = try trainer.train(network, on: data).network
            for i in keep.indices where !keep[i] { network.parameters[i] = 0 }
        }
        var tuned = model
        tuned.network = network
        return tuned
    }

    /// `rows` encoded as the model's training data (targets standardized for regression).
    static func trainingData(_ model: MLPModel, _ rows: DataFrame) throws -> TrainingData {
        let column = try rows.column(model.target)
        let labelled = rows.rows((0..<rows.rowCount).filter { !column.isMissing($0) })
        guard labelled.rowCount > 0 else { throw UsageError("no row has a value in \"\(model.target)\"") }
        let inputs = try model.encoding.encode(labelled)
        let targets = try labelled.targetValues(model.target, task: model.task, classLabels: model.classLabels)
        return TrainingData(numeric: inputs.numeric, codes: inputs.codes,
                            targets: targets.map { Float(($0 - model.targetMean) / model.targetScale) })
    }
}

/// What `NetworkCompression.run` should do.
public struct NetworkCompressionOptions: Sendable {
    /// Prune this fraction (nil: no pruning).
    public var prune: Double? = nil
    /// Weights or whole units.
    public var pruneKind = NetworkPruning.Kind.weights
    /// Rows to fine-tune on after pruning (training rows); nil: no fine-tuning.
    public var fineTuneRows: DataFrame? = nil
    /// Fine-tuning epochs.
    public var fineTuneEpochs = 3
    /// Store weights in this format (nil: keep Float32 weights).
    public var quantize: QuantizedMLP.Format? = nil
    /// Rows to calibrate int8 activation ranges on (nil: the validation rows).
    public var calibrationRows: DataFrame? = nil
    /// Measure latency and throughput.
    public var measureSpeed = true

    /// No pruning or quantization; speed measured.
    public init() {}
}

/// The result of `NetworkCompression.run`.
public struct NetworkCompressionResult: Sendable {
    /// The (pruned, fine-tuned) Float32 model: the last accepted float step.
    public var model: MLPModel
    /// The quantized model, when quantization ran and was accepted.
    public var quantized: QuantizedMLP?
    /// Every step with its figures.
    public var steps: [CompressionStepReport]
}

/// Compression steps for networks, each measured on validation rows and
/// refused when the metric gets more than `maxLoss` worse than the original's.
public struct NetworkCompression: Sendable {
    /// The allowed loss (metric units).
    public var maxLoss: Double
    /// The metric judged.
    public var metric: any Metric

    /// A compression with this tolerance and metric.
    public init(maxLoss: Double, metric: any Metric) {
        self.maxLoss = maxLoss
        self.metric = metric
    }

    /// Prunes (then fine-tunes), then quantizes, measuring each step.
    ///
    /// Timing runs every model through `QuantizedMLP.Runner` (the Float32
    /// original as format `.float32`), so the figures compare formats, not
    /// code paths.
    /// - Throws: as the steps do.
    public func run(_ model: MLPModel, validation: DataFrame,
                    options: NetworkCompressionOptions = NetworkCompressionOptions()) throws -> NetworkCompressionResult {
        guard maxLoss.isFinite, maxLoss >= 0 else { throw UsageError("the allowed loss must be finite and ≥ 0, got \(maxLoss)") }
        let column = try validation.column(model.target)
        let rows = validation.rows((0..<validation.rowCount).filter { !column.isMissing($0) })
        guard rows.rowCount > 0 else { throw UsageError("no validation row has a value in \"\(model.target)\"") }
        let labels = try rows.targetValues(model.target, task: model.task, classLabels: model.classLabels)
        let judge = CompressionJudge(metric: metric, task: model.task, labels: labels, classCount: max(2, model.classLabels.count))
        let calibration = options.calibrationRows ?? rows

        func figures(_ q: QuantizedMLP) throws -> (CompressionFigures, Predictions) {
            let predictions = try q.predict(rows, threads: 1)
            return (try Self.figures(q, rows: rows, judge: judge, predictions: predictions, speed: options.measureSpeed),
                    predictions)
        }
        func within(_ original: Double, _ value: Double) -> Bool { judge.loss(from: original, to: value) <= maxLoss + 1e-12 }

        var current = model
        var (currentFigures, currentPredictions) = try figures(try QuantizedMLP(model, format: .float32, calibration: calibration))
        let original = currentFigures
        var steps: [CompressionStepReport] = []
        if let fraction = options.prune {
            let (pruned, keep) = try NetworkPruning.prune(current, fraction: fraction, kind: options.pruneKind)
            var candidate = pruned
            let (prunedFigures, _) = try figures(try QuantizedMLP(pruned, format: .float32, calibration: calibration))
            var note = options.pruneKind == .weights
                ? "\(Int((fraction * 100).rounded()))% of weights zeroed (before fine-tuning: \(Self.fixed(prunedFigures.metric)))"
                : "\(Int((fraction * 100).rounded()))% of hidden units removed (before fine-tuning: \(Self.fixed(prunedFigures.metric)))"
            if let tuneRows = options.fineTuneRows {
                candidate = try NetworkPruning.fineTune(pruned, keep: keep, rows: tuneRows, epochs: options.fineTuneEpochs)
                note += ", fine-tuned \(options.fineTuneEpochs) epochs"
            }
            let (after, predictions) = try figures(try QuantizedMLP(candidate, format: .float32, calibration: calibration))
            let accepted = within(original.metric, after.metric)
            steps.append(CompressionStepReport(step: "prune \(options.pruneKind.rawValue)", before: currentFigures, after: after,
                                               maxPredictionChange: CompressionJudge.maxChange(currentPredictions, predictions),
                                               accepted: accepted, note: (accepted ? "" : "over the allowed loss; ") + note))
            if !accepted { return NetworkCompressionResult(model: current, quantized: nil, steps: steps) }
            (current, currentFigures, currentPredictions) = (candidate, after, predictions)
        }
        var quantized: QuantizedMLP? = nil
        if let format = options.quantize, format != .float32 {
            let candidate = try QuantizedMLP(current, format: format, calibration: calibration)
            let (after, predictions) = try figures(candidate)
            let accepted = within(original.metric, after.metric)
            steps.append(CompressionStepReport(
                step: "quantize \(format == .int8 ? "int8" : "fp16")", before: currentFigures, after: after,
                maxPredictionChange: CompressionJudge.maxChange(currentPredictions, predictions), accepted: accepted,
                note: (accepted ? "" : "over the allowed loss; ")
                    + (format == .int8 ? "per-channel weights, activations calibrated on \(min(calibration.rowCount, 4_096)) rows"
                        : "half-precision weights")))
            if accepted { quantized = candidate }
        }
        return NetworkCompressionResult(model: current, quantized: quantized, steps: steps)
    }

    /// File size, single-row p50 latency (`QuantizedMLP.Runner`, one row)
    /// and one-thread batch throughput of a network alone on encoded rows,
    /// and the metric of `predictions` (computed when nil).
    public static func figures(_ q: QuantizedMLP, rows: DataFrame, judge: CompressionJudge,
                               predictions: Predictions? = nil, speed: Bool = true) throws -> CompressionFigures {
        let scored = try predictions ?? q.predict(rows, threads: 1)
        var figures = CompressionFigures(bytes: try ModelFile.encoded(q, kind: QuantizedMLP.fileKind).count,
                                         singleRowSeconds: 0, rowsPerSecond: 0, metric: try judge.score(scored))
        guard speed else { return figures }
        let inputs = try q.encoding.encode(rows)
        let single = QuantizedMLP.Runner(q, capacity: 1)
        let numbers = q.encoding.numericWidth, columns = q.encoding.categoricalInputs.count
        var out = [Float](repeating: 0, count: q.outputCount)
        let n = rows.rowCount
        (figures.singleRowSeconds, figures.rowsPerSecond) = try inputs.numeric.withUnsafeBufferPointer { x in
            try inputs.codes.withUnsafeBufferPointer { c in
                try CompressionTiming.measure(rowCount: n, single: { i in
                    out.withUnsafeMutableBufferPointer { o in
                        single.run(numeric: x.baseAddress.map { $0 + i * numbers },
                                   codes: c.baseAddress.map { $0 + i * columns }, rows: 1, into: o.baseAddress!)
                    }
                    return Double(out[0])
                }, batch: { Double(q.rawOutputs(numeric: inputs.numeric, codes: inputs.codes, rowCount: n).first ?? 0) })
            }
        }
        return figures
    }

    static func fixed(_ x: Double) -> String {
        let scaled = (x * 100_000).rounded() / 100_000
        return "\(scaled)"
    }
}
