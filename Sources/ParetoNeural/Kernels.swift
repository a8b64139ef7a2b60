import ParetoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float memory a kernel owns, grown (never shrunk) when a larger batch
/// arrives, so a training loop at a fixed batch size allocates only once.
final class Scratch {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(_ count: Int = 0) {
        capacity = max(1, count)
        pointer = .allocate(capacity: capacity)
        pointer.initialize(repeating: 0, count: capacity)
    }

    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}

/// What every kernel call sees: the whole parameter, gradient and state
/// vectors (each kernel reads its own slice at its offsets), the mode, the
/// dropout generator and the thread count for GEMM.
struct Pass {
    var parameters: UnsafeMutablePointer<Float>
    var gradients: UnsafeMutablePointer<Float>
    var state: UnsafeMutablePointer<Float>
    var training: Bool
    var random: Xoshiro256
    var threads: Int
}

/// One layer's forward and backward computation on a row-major batch.
///
/// Rules: `backward` adds its parameter gradients into `pass.gradients`
/// (never overwrites, so micro-batches accumulate) and may overwrite `dy`;
/// `dx` is nil when nobody needs the input's gradient.
class Kernel {
    let inputWidth: Int
    let outputWidth: Int
    var parameterOffset = 0
    var stateOffset = 0

    init(inputWidth: Int, outputWidth: Int) {
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
    }

    var parameterCount: Int { 0 }
    var stateCount: Int { 0 }

    /// Gives this kernel (and any it holds) its slices of the vectors.
    func assignOffsets(parameters: inout Int, state: inout Int) {
        parameterOffset = parameters
        stateOffset = state
        parameters += parameterCount
        state += stateCount
    }

    func initialize(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                    random: inout Xoshiro256) {}
    func reserve(rows: Int) {}
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, _ pass: inout Pass) {}
    func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>,
                  _ dx: UnsafeMutablePointer<Float>?, rows: Int, _ pass: inout Pass) {}

    /// A uniform draw in [−bound, bound).
    static func uniform(_ bound: Double, _ random: inout Xoshiro256) -> Float {
        Float((2 * random.uniformDouble() - 1) * bound)
    }
}

/// `y = x·W + b` (W is inputs × outputs, row-major), optionally fused with a
/// following ReLU through GEMM's epilogue. Initialized as PyTorch's
/// `nn.Linear`: W and b uniform in ±1/√inputs.
final class DenseKernel: Kernel {
    let fusedReLU: Bool
    /// A column of ones: the bias gradient is 1ᵀ·dY, one more product for GEMM.
    let ones = Scratch()

    init(inputs: Int, outputs: Int, fusedReLU: Bool) {
        self.fusedReLU = fusedReLU
        super.init(inputWidth: inputs, outputWidth: outputs)
    }

    override var parameterCount: Int { inputWidth * outputWidth + outputWidth }

    override func reserve(rows: Int) {
        ones.reserve(rows)
        for i in 0..<rows { ones.pointer[i] = 1 }
    }

    override func initialize(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                             random: inout Xoshiro256) {
        let bound = 1 / Double(inputWidth).squareRoot()
        for i in 0..<parameterCount { parameters[parameterOffset + i] = Kernel.uniform(bound, &random) }
    }

    override func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, _ pass: inout Pass) {
        let w = pass.parameters + parameterOffset
        let b = UnsafePointer(w + inputWidth * outputWidth)
        GEMM.multiply(m: rows, n: outputWidth, k: inputWidth, a: x, lda: inputWidth, b: w, ldb: outputWidth,
                      c: y, ldc: outputWidth, epilogue: fusedReLU ? .biasReLU(b) : .bias(b), threads: pass.threads)
    }

    override func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>?, rows: Int, _ pass: inout Pass) {
        let n = outputWidth
        if fusedReLU {
            // ReLU's gradient is zero where its output is (PyTorch's convention at 0).
            let count = rows * n
            var i = 0
            while i + 16 <= count {
                let output = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
                var gradient = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD16<Float>.self)
                gradient.replace(with: 0, where: output .<= 0)
                UnsafeMutableRawPointer(dy + i).storeBytes(of: gradient, as: SIMD16<Float>.self)
                i += 16
            }
            while i < count {
                if y[i] <= 0 { dy[i] = 0 }
                i += 1
            }
        }
        let w = pass.parameters + parameterOffset
        let gw = pass.gradients + parameterOffset
        let gb = gw + inputWidth * n
        GEMM.multiply(m: inputWidth, n: n, k: rows, a: x, lda: inputWidth, transposeA: true, b: dy, ldb: n,
                      c: gw, ldc: n, beta: 1, threads: pass.threads)
        GEMM.multiply(m: 1, n: n, k: rows, a: ones.pointer, lda: rows, b: dy, ldb: n, c: gb, ldc: n, beta: 1,
                      threads: pass.threads)
        if let dx {
            GEMM.multiply(m: rows, n: inputWidth, k: n, a: dy, lda: n, b: w, ldb: n, transposeB: true,
                          c: dx, ldc: inputWidth, threads: pass.threads)
        }
    }
}

/// An elementwise activation.
final class ActivationKernel: Kernel {
    enum Function { case relu, gelu, tanh, sigmoid }
    let function: Function

    init(_ function: Function, width: Int) {
        self.function = function
        super.init(inputWidth: width, outputWidth: width)
    }

    override func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, _ pass: inout Pass) {
        let count = rows * inputWidth
        switch function {
        case .relu: for i in 0..<count { y[i] = max(0, x[i]) }
        case .gelu: for i in 0..<count { y[i] = x[i] * ActivationKernel.normalCDF(x[i]) }
        case .tanh: for i in 0..<count { y[i] = Foundation_tanh(x[i]) }
        case .sigmoid: for i in 0..<count { y[i] = 1 / (1 + expf(-x[i])) }
        }
    }

    override func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>?, rows: Int, _ pass: inout Pass) {
        guard let dx else { return }
        let count = rows * inputWidth
        switch function {
        case .relu: for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] : 0 }
        case .gelu:
            for i in 0..<count {
                let v = x[i]
                let density = expf(-0.5 * v * v) * 0.398_942_28
                dx[i] = dy[i] * (ActivationKernel.normalCDF(v) + v * density)
            }
        case .tanh: for i in 0..<count { dx[i] = dy[i] * (1 - y[i] * y[i]) }
        case .sigmoid: for i in 0..<count { dx[i] = dy[i] * y[i] * (1 - y[i]) }
        }
    }

    /// Φ(x), the standard normal distribution function.
    @inline(__always) static func normalCDF(_ x: Float) -> Float { 0.5 * erfcf(-x * 0.707_106_77) }
}

@inline(__always) private func Foundation_tanh(_ x: Float) -> Float { tanhf(x) }

/// Inverted dropout; the mask (0 or 1/(1 − rate) per value) is kept for backward.
final class DropoutKernel: Kernel {
    let rate: Float
    let mask = Scratch()

    init(rate: Double, width: Int) {
        self.rate = Float(rate)
        super.init(inputWidth: width, outputWidth: width)
    }

    override func reserve(rows: Int) { mask.reserve(rows * inputWidth) }

    override func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, _ pass: inout Pass) {
        let count = rows * inputWidth
        guard pass.training, rate > 0 else {
            y.update(from: x, count: count)
            return
        }
        let keep = 1 / (1 - rate)
        // 24 random bits per value: exact in Float, so the comparison is the same everywhere.
        let threshold = UInt64((Double(rate) * 16_777_216).rounded())
        let m = mask.pointer
        for i in 0..<count {
            let scale: Float = (pass.random.next() >> 40) >= threshold ? keep : 0
            m[i] = scale
            y[i] = x[i] * scale
        }
    }

    override func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>?, rows: Int, _ pass: inout Pass) {
        guard let dx else { return }
        let count = rows * inputWidth
        if rate > 0 {
            for i in 0..<count { dx[i] = dy[i] * mask.pointer[i] }
        } else {
            dx.update(from: dy, count: count)
        }
    }
}

/// Layer normalization over each row's features, with learned γ and β.
final class LayerNormKernel: Kernel {
    static let epsilon: Float = 1e-5
    let normalized = Scratch()
    let inverseDeviation = Scratch()

    init(width: Int) { super.init(inputWidth: width, outputWidth: width) }

    override var parameterCount: Int { 2 * inputWidth }

    override func initialize(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                             random: inout Xoshiro256) {
        let p = parameters + parameterOffset
        for j in 0..<inputWidth { p[j] = 1; p[inputWidth + j] = 0 }
    }

    override func reserve(rows: Int) {
        normalized.reserve(rows * inputWidth)
        inverseDeviation.reserve(rows)
    }

    override func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, _ pass: inout Pass) {
        let d = inputWidth
        let gamma = pass.parameters + parameterOffset, beta = gamma + d
        for r in 0..<rows {
            let row = x + r * d, out = y + r * d, hat = normalized.pointer + r * d
            var mean: Float = 0
            for j in 0..<d { mean += row[j] }
            mean /= Float(d)
            var variance: Float = 0
            for j in 0..<d { let c = row[j] - mean; variance += c * c }
            variance /= Float(d)
            let inverse = 1 / (variance + Self.epsilon).squareRoot()
            inverseDeviation.pointer[r] = inverse
            for j in 0..<d {
                hat[j] = (row[j] - mean) * inverse
                out[j] = gamma[j] * hat[j] + beta[j]
            }
        }
    }

    override func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>?, rows: Int, _ pass: inout Pass) {
        let d = inputWidth
        let gamma = pass.parameters + parameterOffset
        let gGamma = pass.gradients + parameterOffset, gBeta = gGamma + d
        for r in 0..<rows {
            let g = dy + r * d, hat = normalized.pointer + r * d
            var sum: Float = 0, dot: Float = 0
            for j in 0..<d {
                gGamma[j] += g[j] * hat[j]
                gBeta[j] += g[j]
                let gh = g[j] * gamma[j]
                sum += gh
                dot += gh * hat[j]
            }
            guard let dx else { continue }
            let out = dx + r * d
            let inverse = inverseDeviation.pointer[r], meanSum = sum / Float(d), meanDot = dot / Float(d)
            for j in 0..<d { out[j] = inverse * (g[j] * gamma[j] - meanSum - hat[j] * meanDot) }
        }
    }
}

/// Batch normalization over each feature; state holds the running mean and variance.
final class BatchNormKernel: Kernel {
    static let epsilon: Float = 1e-5
    let momentum: Float
    let normalized = Scratch()
    let inverseDeviation = Scratch()
    let sums = Scratch()

    init(width: Int, momentum: Double) {
        self.momentum = Float(momentum)
        super.init(inputWidth: width, outputWidth: width)
    }

    override var parameterCount: Int { 2 * inputWidth }
    override var stateCount: Int { 2 * inputWidth }

    override func initialize(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                             random: inout Xoshiro256) {
        let d = inputWidth
        for j in 0..<d {
            parameters[parameterOffset + j] = 1
            parameters[parameterOffset + d + j] = 0
            state[stateOffset + j] = 0
            state[stateOffset + d + j] = 1
        }
    }

    override func reserve(rows: Int) {
        normalized.reserve(rows * inputWidth)
        inverseDeviation.reserve(inputWidth)
        sums.reserve(2 * inputWidth)
    }

    override func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, _ pass: inout Pass) {
        let d = inputWidth
        let gamma = pass.parameters + parameterOffset, beta = gamma + d
        let runningMean = pass.state + stateOffset, runningVariance = runningMean + d
        let mean = sums.pointer, variance = sums.pointer + d
        if pass.training {
            for j in 0..<d { mean[j] = 0; variance[j] = 0 }
            for r in 0..<rows { for j in 0..<d { mean[j] += x[r * d + j] } }
            for j in 0..<d { mean[j] /= Float(rows) }
            for r in 0..<rows { for j in 0..<d { let c = x[r * d + j] - mean[j]; variance[j] += c * c } }
            for j in 0..<d {
                variance[j] /= Float(rows)
                let unbiased = rows > 1 ? variance[j] * Float(rows) / Float(rows - 1) : variance[j]
                runningMean[j] = (1 - momentum) * runningMean[j] + momentum * mean[j]
                runningVariance[j] = (1 - momentum) * runningVariance[j] + momentum * unbiased
            }
        } else {
            for j in 0..<d { mean[j] = runningMean[j]; variance[j] = runningVariance[j] }
        }
        let inverse = inverseDeviation.pointer
        for j in 0..<d { inverse[j] = 1 / (variance[j] + Self.epsilon).squareRoot() }
        for r in 0..<rows {
            for j in 0..<d {
                let hat = (x[r * d + j] - mean[j]) * inverse[j]
                normalized.pointer[r * d + j] = hat
                y[r * d + j] = gamma[j] * hat + beta[j]
            }
        }
    }

    override func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>?, rows: Int, _ pass: inout Pass) {
        let d = inputWidth
        let gamma = pass.parameters + parameterOffset
        let gGamma = pass.gradients + parameterOffset, gBeta = gGamma + d
        let sum = sums.pointer, dot = sums.pointer + d
        for j in 0..<d { sum[j] = 0; dot[j] = 0 }
        for r in 0..<rows {
            for j in 0..<d {
                let g = dy[r * d + j], hat = normalized.pointer[r * d + j]
                sum[j] += g
                dot[j] += g * hat
            }
        }
        for j in 0..<d { gGamma[j] += dot[j]; gBeta[j] += sum[j] }
        guard let dx else { return }
        let n = Float(rows)
        for r in 0..<rows {
            for j in 0..<d {
                let hat = normalized.pointer[r * d + j]
                dx[r * d + j] = gamma[j] * inverseDeviation.pointer[j] * (dy[r * d + j] - sum[j] / n - hat * dot[j] / n)
            }
        }
    }
}

/// `y = x + body(x)`, with the body's activations in its own scratch.
final class ResidualKernel: Kernel {
    let body: [Kernel]
    let activations: [Scratch]
    let gradientA = Scratch()
    let gradientB = Scratch()

    init(body: [Kernel], width: Int) {
        self.body = body
        activations = body.map { _ in Scratch() }
        super.init(inputWidth: width, outputWidth: width)
    }

    override func assignOffsets(parameters: inout Int, state: inout Int) {
        parameterOffset = parameters
        stateOffset = state
        for kernel in body { kernel.assignOffsets(parameters: &parameters, state: &state) }
    }

    override func initialize(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                             random: inout Xoshiro256) {
        for kernel in body { kernel.initialize(parameters: parameters, state: state, random: &random) }
    }

    override func reserve(rows: Int) {
        let widest = body.reduce(inputWidth) { max($0, $1.inputWidth, $1.outputWidth) }
        for (kernel, scratch) in zip(body, activations) {
            kernel.reserve(rows: rows)
            scratch.reserve(rows * kernel.outputWidth)
        }
        gradientA.reserve(rows * widest)
        gradientB.reserve(rows * widest)
    }

    override func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, _ pass: inout Pass) {
        var input = x
        for (kernel, scratch) in zip(body, activations) {
            kernel.forward(input, scratch.pointer, rows: rows, &pass)
            input = UnsafePointer(scratch.pointer)
        }
        for i in 0..<(rows * inputWidth) { y[i] = x[i] + input[i] }
    }

    override func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>?, rows: Int, _ pass: inout Pass) {
        var current = gradientA.pointer, other = gradientB.pointer
        current.update(from: dy, count: rows * outputWidth)
        for index in body.indices.reversed() {
            let input = index == 0 ? x : UnsafePointer(activations[index - 1].pointer)
            body[index].backward(input, activations[index].pointer, current, other, rows: rows, &pass)
            swap(&current, &other)
        }
        guard let dx else { return }
        for i in 0..<(rows * inputWidth) { dx[i] = dy[i] + current[i] }
    }
}

/// The network's input: a row's numbers followed by each categorical
/// column's embedding vector (one table of cardinality × dimension per
/// column, initialized N(0, 1) as PyTorch's `nn.Embedding`).
final class InputEncoder {
    let numericCount: Int
    let columns: [CategoricalInput]
    let outputWidth: Int
    var parameterOffset = 0

    init(numericCount: Int, columns: [CategoricalInput]) {
        self.numericCount = numericCount
        self.columns = columns
        outputWidth = numericCount + columns.reduce(0) { $0 + $1.dimension }
    }

    var parameterCount: Int { columns.reduce(0) { $0 + $1.cardinality * $1.dimension } }

    func initialize(parameters: UnsafeMutablePointer<Float>, random: inout Xoshiro256) {
        for i in 0..<parameterCount { parameters[parameterOffset + i] = Float(random.standardNormal()) }
    }

    /// Writes rows of [numbers, embeddings…] to `y`; `codes` holds one code per categorical column per row.
    func forward(numeric: UnsafePointer<Float>, codes: UnsafePointer<Int32>, rows: Int,
                 _ y: UnsafeMutablePointer<Float>, parameters: UnsafePointer<Float>) {
        let width = outputWidth, c = columns.count
        for r in 0..<rows {
            let out = y + r * width
            out.update(from: numeric + r * numericCount, count: numericCount)
            var position = numericCount
            var table = parameters + parameterOffset
            for (k, column) in columns.enumerated() {
                let code = Int(codes[r * c + k])
                (out + position).update(from: table + code * column.dimension, count: column.dimension)
                position += column.dimension
                table += column.cardinality * column.dimension
            }
        }
    }

    /// Adds each row's embedding gradients into its codes' table rows.
    func backward(codes: UnsafePointer<Int32>, rows: Int, _ dy: UnsafePointer<Float>,
                  gradients: UnsafeMutablePointer<Float>) {
        let width = outputWidth, c = columns.count
        for r in 0..<rows {
            var position = numericCount
            var table = gradients + parameterOffset
            for (k, column) in columns.enumerated() {
                let target = table + Int(codes[r * c + k]) * column.dimension
                let source = dy + r * width + position
                for t in 0..<column.dimension { target[t] += source[t] }
                position += column.dimension
                table += column.cardinality * column.dimension
            }
        }
    }
}
