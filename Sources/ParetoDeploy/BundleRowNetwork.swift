#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore
import ParetoData
import ParetoNeural

/// A multilayer perceptron for one row: its `TableEncoding` applied to the
/// cells (standardized numbers with missing indicators, embedding codes of
/// the training levels, 0 for missing or unseen), then
/// `NetworkRowForward`, then the output link `MLPModel.predict` applies —
/// the same operations in the same order, so the same bits.
final class MLPRowScorer: BundleRowScorer {
    private enum Input {
        /// Schema position, numeric input position, mean, scale, indicator, name.
        case number(source: Int, position: Int, mean: Double, scale: Double, indicator: Bool, name: String)
        /// Schema position, code position, per vocabulary index the code.
        case category(source: Int, position: Int, codes: [Int32])
    }

    let classLabels: [String]
    let outputCount: Int
    var allocationFree: Bool { true }
    var fallbackReasons: [String] { [] }
    private let inputs: [Input]
    private let forwardPass: NetworkRowForward
    private let task: TaskKind
    private let targetMean: Double
    private let targetScale: Double
    private let numericWidth: Int

    /// Compiles `model` for the bundle's columns.
    ///
    /// - Throws: `UsageError` for a column the schema lacks or holds with
    ///   another kind than in training (as the frame path would on every row).
    init(_ model: MLPModel, _ context: BundleRowContext) throws {
        var inputs: [Input] = []
        var position = 0, categorical = 0
        for feature in model.encoding.features {
            guard let source = context.positions[feature.name] else {
                throw UsageError("the data has no column \"\(feature.name)\", which the model needs",
                                 hint: "pass a file with the training columns (the target may be left out)")
            }
            let kind = context.schema[source].kind
            switch feature {
            case .numeric(let name, let trained, let mean, let scale, let indicator):
                guard kind == trained else {
                    throw UsageError("column \"\(name)\" is \(kind.rawValue), but it was \(trained.rawValue) in training",
                                     hint: "use the same column types as in training")
                }
                inputs.append(.number(source: source, position: position, mean: mean, scale: scale, indicator: indicator,
                                      name: name))
                position += indicator ? 2 : 1
            case .categorical(let name, let levels, _):
                guard kind == .categorical else {
                    throw UsageError("column \"\(name)\" is \(kind.rawValue), but it was categorical in training",
                                     hint: "use the same column types as in training")
                }
                let vocabulary = context.vocabularies[source]?.levels ?? []
                let codes = vocabulary.map { level in levels.firstIndex(of: level).map { Int32($0 + 1) } ?? 0 }
                inputs.append(.category(source: source, position: categorical, codes: codes))
                categorical += 1
            }
        }
        self.inputs = inputs
        numericWidth = position
        forwardPass = try NetworkRowForward(model.network)
        task = model.task
        targetMean = model.targetMean
        targetScale = model.targetScale
        classLabels = model.task == .regression ? [] : model.classLabels
        outputCount = model.task == .binary ? 2 : model.task == .multiclass ? model.classLabels.count : 1
        guard forwardPass.outputCount == (model.task == .multiclass ? model.classLabels.count : 1) else {
            throw UsageError("the network gives \(forwardPass.outputCount) outputs, which does not fit its task")
        }
    }

    func encode(_ row: BundleRowCells) throws {
        let numeric = forwardPass.numeric, codes = forwardPass.codes
        for i in 0..<numericWidth { numeric[i] = 0 }
        for input in inputs {
            switch input {
            case .number(let source, let position, let mean, let scale, let indicator, let name):
                let x = row.numbers[source]
                if !x.isNaN {
                    guard x.isFinite else {
                        throw NeuralError("column \"\(name)\", row 1", "the value is \(x)", hint: "replace infinite values")
                    }
                    numeric[position] = Float((x - mean) / scale)
                } else if indicator {
                    numeric[position + 1] = 1
                }
            case .category(let source, let position, let table):
                let code = Int(row.levels[source])
                codes[position] = code >= 0 ? table[code] : 0
            }
        }
    }

    func score(into out: UnsafeMutablePointer<Double>) throws {
        let z = forwardPass.forward()
        switch task {
        case .regression:
            out[0] = Double(z[0]) * targetScale + targetMean
        case .binary:
            // ParetoNeural's logistic curve, on the side that cannot overflow.
            let x = Double(z[0])
            let p = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
            out[0] = 1 - p
            out[1] = p
        case .multiclass:
            let k = outputCount
            var peak = Double(z[0])
            for c in 1..<max(1, k) where peak < Double(z[c]) { peak = Double(z[c]) }
            var total = 0.0
            for c in 0..<k {
                out[c] = exp(Double(z[c]) - peak)
                total += out[c]
            }
            for c in 0..<k { out[c] = out[c] / total }
        }
    }
}
