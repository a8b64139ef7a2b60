import ParetoCore

/// A network's inference pass for one row at a time on buffers allocated
/// once: the caller writes the row's inputs into `numeric` and `codes`,
/// then `forward()` returns the outputs.
///
/// It runs the same kernels as `Network.predict` on a one-row batch, so the
/// outputs are the same bit for bit. Not thread-safe (it owns its
/// activations): one per thread.
///
/// Cost: `init` copies the parameters and plans the layers once;
/// `forward()` is one pass through the layers on one thread, with no heap
/// allocation.
public final class NetworkRowForward {
    /// The row's numeric inputs (`architecture.numericInputs` values).
    public let numeric: UnsafeMutablePointer<Float>
    /// The row's category codes (`architecture.categoricalInputs.count`
    /// values, each in `0..<cardinality`).
    public let codes: UnsafeMutablePointer<Int32>
    /// Outputs per row.
    public let outputCount: Int

    private let plan: NetworkPlan
    private let executor: Executor
    private let parameters: UnsafeMutablePointer<Float>
    private let state: UnsafeMutablePointer<Float>
    private let codeCapacity: Int

    /// Prepares `network` for one-row passes.
    ///
    /// - Throws: `NeuralError` when the architecture is invalid or the
    ///   weights do not fit it.
    public init(_ network: Network) throws {
        plan = try NetworkPlan(network.architecture)
        guard network.parameters.count == plan.parameterCount, network.state.count == plan.stateCount else {
            throw NeuralError("network", "the weights do not fit the architecture")
        }
        executor = Executor(plan, rows: 1)
        parameters = Self.copy(network.parameters)
        state = Self.copy(network.state)
        numeric = .allocate(capacity: max(1, plan.numericCount))
        numeric.initialize(repeating: 0, count: max(1, plan.numericCount))
        codeCapacity = max(1, plan.encoder.columns.count)
        codes = .allocate(capacity: codeCapacity)
        codes.initialize(repeating: 0, count: codeCapacity)
        outputCount = plan.outputWidth
    }

    /// `values` in a buffer of their own (at least one element).
    private static func copy(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, values.count))
        buffer.initialize(repeating: 0, count: max(1, values.count))
        for i in values.indices { buffer[i] = values[i] }
        return buffer
    }

    deinit {
        parameters.deallocate()
        state.deallocate()
        numeric.deallocate()
        codes.deallocate()
    }

    /// The outputs (logits or values) of the row in `numeric` and `codes`;
    /// valid until the next call.
    public func forward() -> UnsafePointer<Float> {
        var pass = Pass(parameters: parameters, gradients: parameters, state: state, training: false,
                        random: Xoshiro256(seed: 0), threads: 1)
        return UnsafePointer(executor.forward(numeric: numeric, codes: codes, rows: 1, &pass))
    }
}
