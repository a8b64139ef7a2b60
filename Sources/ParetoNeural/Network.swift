import ParetoCore

/// A dense network's weights: its architecture, every learned parameter in
/// one flat vector and the non-learned state (batch norm's running
/// statistics) in another.
///
/// ```swift
/// let network = try Network(.perceptron(numericInputs: 28, hidden: [256, 256], outputs: 1), seed: 7)
/// let scores = try network.predict(numeric: rows, rowCount: n)
/// ```
///
/// One flat vector keeps the optimizers, gradient clipping, checkpoints and
/// mixed precision to a single loop each. A network is a value: training
/// returns a new one.
public struct Network: Codable, Sendable, Equatable {
    /// The inputs and layers.
    public let architecture: NetworkArchitecture
    /// Every learned parameter, layer by layer (dense: W row-major, inputs × outputs, then b).
    public var parameters: [Float]
    /// Running statistics of batch-norm layers (mean, then variance, per layer).
    public var state: [Float]

    /// A freshly initialized network (PyTorch's default initializations).
    ///
    /// - Throws: `NeuralError` when the architecture is invalid (a width
    ///   below 1, a residual body that changes the width, a dropout rate
    ///   outside [0, 1)).
    public init(_ architecture: NetworkArchitecture, seed: UInt64) throws {
        let plan = try NetworkPlan(architecture)
        self.architecture = architecture
        parameters = [Float](repeating: 0, count: plan.parameterCount)
        state = [Float](repeating: 0, count: plan.stateCount)
        var random = Xoshiro256(seed: seed)
        parameters.withUnsafeMutableBufferPointer { p in
            state.withUnsafeMutableBufferPointer { s in
                plan.encoder.initialize(parameters: p.baseAddress!, random: &random)
                for kernel in plan.kernels {
                    kernel.initialize(parameters: p.baseAddress!, state: s.baseAddress!, random: &random)
                }
            }
        }
    }

    /// The number of values the network outputs per row.
    public var outputCount: Int {
        (try? NetworkPlan(architecture).outputWidth) ?? 0
    }

    /// Raw outputs (logits or values), row-major `rowCount × outputCount`, in inference mode.
    ///
    /// `numeric` is row-major `rowCount × numericInputs`; `codes` is
    /// row-major `rowCount × categoricalInputs.count`, each in
    /// `0..<cardinality`. Rows go through in blocks of `batchSize`; the
    /// result does not depend on it or on `threads`.
    ///
    /// - Throws: `NeuralError` for inputs of the wrong size or codes out of range.
    public func predict(numeric: [Float], codes: [Int32] = [], rowCount: Int, batchSize: Int = 1024,
                        threads: Int? = 1) throws -> [Float] {
        let plan = try NetworkPlan(architecture)
        try plan.checkInputs(numeric: numeric, codes: codes, rowCount: rowCount)
        let executor = Executor(plan, rows: min(max(1, batchSize), max(1, rowCount)))
        var output = [Float](repeating: 0, count: rowCount * plan.outputWidth)
        var parameters = self.parameters, state = self.state
        let width = plan.outputWidth
        parameters.withUnsafeMutableBufferPointer { p in
            state.withUnsafeMutableBufferPointer { s in
                var pass = Pass(parameters: p.baseAddress!, gradients: p.baseAddress!, state: s.baseAddress!,
                                training: false, random: Xoshiro256(seed: 0), threads: Parallel.threadCount(threads))
                numeric.withUnsafeBufferPointer { x in
                    codes.withUnsafeBufferPointer { c in
                        var start = 0
                        while start < rowCount {
                            let rows = min(executor.capacity, rowCount - start)
                            let y = executor.forward(numeric: x.baseAddress! + start * plan.numericCount,
                                                     codes: (c.baseAddress ?? UnsafePointer(executor.noCodes)) + start * plan.encoder.columns.count,
                                                     rows: rows, &pass)
                            for i in 0..<(rows * width) { output[start * width + i] = y[i] }
                            start += rows
                        }
                    }
                }
            }
        }
        return output
    }
}

/// An architecture checked and turned into kernels (widths resolved, dense
/// layers followed by ReLU fused, offsets assigned).
struct NetworkPlan {
    let encoder: InputEncoder
    let kernels: [Kernel]
    let parameterCount: Int
    let stateCount: Int
    let outputWidth: Int
    var numericCount: Int { encoder.numericCount }

    init(_ architecture: NetworkArchitecture) throws {
        try NeuralError.check(architecture.numericInputs, "numericInputs", atLeast: 0)
        for (i, input) in architecture.categoricalInputs.enumerated() {
            try NeuralError.check(input.cardinality, "categoricalInputs[\(i)].cardinality", atLeast: 1)
            try NeuralError.check(input.dimension, "categoricalInputs[\(i)].dimension", atLeast: 1)
        }
        encoder = InputEncoder(numericCount: architecture.numericInputs, columns: architecture.categoricalInputs)
        guard encoder.outputWidth > 0 else {
            throw NeuralError("numericInputs", "the network has no inputs", hint: "give it at least one feature")
        }
        guard !architecture.layers.isEmpty else {
            throw NeuralError("layers", "the network has no layers", hint: "end it with .dense(outputs)")
        }
        kernels = try NetworkPlan.compile(architecture.layers, width: encoder.outputWidth, path: "layers")
        var parameters = 0, state = 0
        encoder.parameterOffset = 0
        parameters += encoder.parameterCount
        for kernel in kernels { kernel.assignOffsets(parameters: &parameters, state: &state) }
        parameterCount = parameters
        stateCount = state
        outputWidth = kernels.last!.outputWidth
    }

    static func compile(_ layers: [Layer], width start: Int, path: String) throws -> [Kernel] {
        var kernels: [Kernel] = []
        var width = start
        var index = 0
        while index < layers.count {
            let field = "\(path)[\(index)]"
            switch layers[index] {
            case .dense(let outputs):
                try NeuralError.check(outputs, field + ".outputs", atLeast: 1)
                let fuse = index + 1 < layers.count && layers[index + 1] == .relu
                kernels.append(DenseKernel(inputs: width, outputs: outputs, fusedReLU: fuse))
                width = outputs
                if fuse { index += 1 }
            case .relu: kernels.append(ActivationKernel(.relu, width: width))
            case .gelu: kernels.append(ActivationKernel(.gelu, width: width))
            case .tanh: kernels.append(ActivationKernel(.tanh, width: width))
            case .sigmoid: kernels.append(ActivationKernel(.sigmoid, width: width))
            case .dropout(let rate):
                guard rate.isFinite, rate >= 0, rate < 1 else {
                    throw NeuralError(field + ".rate", "dropout must be in [0, 1), not \(rate)")
                }
                kernels.append(DropoutKernel(rate: rate, width: width))
            case .layerNorm: kernels.append(LayerNormKernel(width: width))
            case .batchNorm(let momentum):
                guard momentum.isFinite, momentum > 0, momentum <= 1 else {
                    throw NeuralError(field + ".momentum", "must be in (0, 1], not \(momentum)", hint: "PyTorch uses 0.1")
                }
                kernels.append(BatchNormKernel(width: width, momentum: momentum))
            case .residual(let body):
                guard !body.isEmpty else { throw NeuralError(field, "a residual block needs a body") }
                let inner = try compile(body, width: width, path: field)
                guard inner.last!.outputWidth == width else {
                    throw NeuralError(field, "the body maps width \(width) to \(inner.last!.outputWidth)",
                                      hint: "end the body with .dense(\(width)) so it can be added to its input")
                }
                kernels.append(ResidualKernel(body: inner, width: width))
            }
            index += 1
        }
        return kernels
    }

    func checkInputs(numeric: [Float], codes: [Int32], rowCount: Int) throws {
        try NeuralError.check(rowCount, "rowCount", atLeast: 0)
        guard numeric.count == rowCount * numericCount else {
            throw NeuralError("numeric", "holds \(numeric.count) values; \(rowCount) rows × \(numericCount) inputs need "
                              + "\(rowCount * numericCount)")
        }
        let c = encoder.columns.count
        guard codes.count == rowCount * c else {
            throw NeuralError("codes", "holds \(codes.count) codes; \(rowCount) rows × \(c) categorical inputs need "
                              + "\(rowCount * c)")
        }
        for (i, code) in codes.enumerated() where code < 0 || Int(code) >= encoder.columns[i % c].cardinality {
            throw NeuralError("codes[row \(i / c), column \(i % c)]",
                              "code \(code) is outside 0..<\(encoder.columns[i % c].cardinality)")
        }
    }
}

/// Runs a plan on batches of up to `capacity` rows: every activation and
/// gradient buffer is allocated here, once.
final class Executor {
    let plan: NetworkPlan
    private(set) var capacity: Int
    /// `activations[0]` is the encoded input; `activations[i + 1]` is kernel i's output.
    let activations: [Scratch]
    let gradientA = Scratch()
    let gradientB = Scratch()
    let noCodes = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    /// Mixed precision: activations and activation gradients are rounded to
    /// 16 bits as each layer writes them (storage), arithmetic stays Float32.
    var precision = Precision.float32
    private var halfScratch = UnsafeMutablePointer<UInt16>.allocate(capacity: 1)
    private var halfCapacity = 1

    init(_ plan: NetworkPlan, rows: Int) {
        self.plan = plan
        capacity = 0
        activations = [Scratch()] + plan.kernels.map { _ in Scratch() }
        reserve(rows: rows)
    }

    deinit {
        noCodes.deallocate()
        halfScratch.deallocate()
    }

    /// Rounds `count` values in place to the storage precision (a round trip through 16 bits).
    func round(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch precision {
        case .float32: return
        case .float16:
            halfScratch.withMemoryRebound(to: Float16.self, capacity: count) { half in
                HalfPrecision.convert(UnsafePointer(x), toFloat16: half, count: count)
                HalfPrecision.convert(UnsafePointer(half), toFloat: x, count: count)
            }
        case .bfloat16:
            HalfPrecision.convert(UnsafePointer(x), toBFloat16: halfScratch, count: count)
            HalfPrecision.convert(UnsafePointer(halfScratch), fromBFloat16: x, count: count)
        }
    }

    /// Copies `count` master weights into `destination` at the storage precision.
    func roundCopy(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        reserveHalf(count)
        destination.update(from: source, count: count)
        round(destination, count: count)
    }

    private func reserveHalf(_ count: Int) {
        guard count > halfCapacity else { return }
        halfScratch.deallocate()
        halfScratch = .allocate(capacity: count)
        halfCapacity = count
    }

    func reserve(rows: Int) {
        guard rows > capacity else { return }
        capacity = rows
        activations[0].reserve(rows * plan.encoder.outputWidth)
        var widest = plan.encoder.outputWidth
        for (kernel, scratch) in zip(plan.kernels, activations.dropFirst()) {
            kernel.reserve(rows: rows)
            scratch.reserve(rows * kernel.outputWidth)
            widest = max(widest, kernel.outputWidth)
        }
        gradientA.reserve(rows * widest)
        gradientB.reserve(rows * widest)
        reserveHalf(rows * widest)
    }

    /// The forward pass; returns the output rows (valid until the next call).
    func forward(numeric: UnsafePointer<Float>, codes: UnsafePointer<Int32>, rows: Int,
                 _ pass: inout Pass) -> UnsafeMutablePointer<Float> {
        plan.encoder.forward(numeric: numeric, codes: codes, rows: rows, activations[0].pointer,
                             parameters: pass.parameters)
        round(activations[0].pointer, count: rows * plan.encoder.outputWidth)
        for (i, kernel) in plan.kernels.enumerated() {
            kernel.forward(activations[i].pointer, activations[i + 1].pointer, rows: rows, &pass)
            round(activations[i + 1].pointer, count: rows * kernel.outputWidth)
        }
        return activations[plan.kernels.count].pointer
    }

    /// Where the loss writes its gradient with respect to the outputs before `backward`.
    var outputGradient: UnsafeMutablePointer<Float> { gradientA.pointer }

    /// The backward pass from `outputGradient`, adding into `pass.gradients`.
    func backward(codes: UnsafePointer<Int32>, rows: Int, _ pass: inout Pass) {
        var current = gradientA.pointer, other = gradientB.pointer
        let embeds = !plan.encoder.columns.isEmpty
        round(current, count: rows * plan.outputWidth)
        for index in plan.kernels.indices.reversed() {
            let needInput = index > 0 || embeds
            plan.kernels[index].backward(activations[index].pointer, activations[index + 1].pointer, current,
                                         needInput ? other : nil, rows: rows, &pass)
            if needInput { round(other, count: rows * plan.kernels[index].inputWidth) }
            swap(&current, &other)
        }
        if embeds {
            plan.encoder.backward(codes: codes, rows: rows, current, gradients: pass.gradients)
        }
    }
}
