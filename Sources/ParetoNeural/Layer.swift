import ParetoCore

/// One layer of a dense network, as a Codable description: the network
/// turns the list into kernels with preallocated workspaces.
///
/// ```swift
/// let layers: [Layer] = [.dense(256), .relu, .dropout(0.1), .residual([.layerNorm, .dense(256), .gelu]), .dense(1)]
/// ```
///
/// Widths flow from the input: `dense(n)` maps whatever comes in to `n`
/// outputs; every other layer keeps the width. A residual block adds its
/// input to its body's output, so the body must end at the width it began.
public indirect enum Layer: Codable, Sendable, Equatable {
    /// A fully connected layer with `outputs` units: `y = x·W + b`.
    case dense(Int)
    /// max(0, x).
    case relu
    /// x·Φ(x), with the exact normal distribution function (PyTorch's default GELU).
    case gelu
    /// tanh(x).
    case tanh
    /// 1 / (1 + e^−x).
    case sigmoid
    /// Zeroes each value with probability `rate` in training and scales the
    /// rest by 1 / (1 − rate) (inverted dropout); the identity in inference.
    case dropout(Double)
    /// Normalizes each row over its features, then scales and shifts per
    /// feature (learned γ, β). ε = 1e-5.
    case layerNorm
    /// Normalizes each feature over the batch in training (running averages
    /// with `momentum` in inference), then scales and shifts (γ, β). ε = 1e-5.
    /// A batch's statistics depend on which rows share it, so gradient
    /// accumulation is not exactly a larger batch with this layer.
    case batchNorm(momentum: Double)
    /// `x + body(x)`; the body must end at its input's width.
    case residual([Layer])
}

/// A categorical input column: its number of codes and the width of its
/// embedding.
public struct CategoricalInput: Codable, Sendable, Equatable {
    /// The number of distinct codes, `0..<cardinality` (the learner keeps
    /// code 0 for missing and unseen categories).
    public var cardinality: Int
    /// The length of each code's learned vector.
    public var dimension: Int

    /// Creates an input; `dimension` defaults to `EmbeddingSize.rule(cardinality)`.
    public init(cardinality: Int, dimension: Int? = nil) {
        self.cardinality = cardinality
        self.dimension = dimension ?? EmbeddingSize.rule(cardinality)
    }
}

/// The default embedding width for a categorical column.
public enum EmbeddingSize {
    /// min(50, round(1.6 · cardinality^0.56)), at least 1: fast.ai's rule of
    /// thumb, which grows slower than the cardinality so rare columns stay small.
    public static func rule(_ cardinality: Int) -> Int {
        let width = (1.6 * pow(Double(max(1, cardinality)), 0.56)).rounded()
        return max(1, min(50, Int(width)))
    }
}

/// What a network reads and how it is built: numeric inputs, categorical
/// inputs (each embedded) and the layers.
public struct NetworkArchitecture: Codable, Sendable, Equatable {
    /// Numeric values per row, read first.
    public var numericInputs: Int
    /// Categorical columns, each embedded and appended after the numbers.
    public var categoricalInputs: [CategoricalInput]
    /// The layers, first to last; the last layer's width is the output count.
    public var layers: [Layer]

    /// Creates an architecture.
    public init(numericInputs: Int, categoricalInputs: [CategoricalInput] = [], layers: [Layer]) {
        self.numericInputs = numericInputs
        self.categoricalInputs = categoricalInputs
        self.layers = layers
    }

    /// A multilayer perceptron: `hidden` dense layers, each followed by
    /// `activation` and (when `dropout > 0`) dropout, then a dense output layer.
    public static func perceptron(numericInputs: Int, categoricalInputs: [CategoricalInput] = [], hidden: [Int],
                                  activation: Layer = .relu, dropout: Double = 0, outputs: Int) -> NetworkArchitecture {
        var layers: [Layer] = []
        for width in hidden {
            layers.append(.dense(width))
            layers.append(activation)
            if dropout > 0 { layers.append(.dropout(dropout)) }
        }
        layers.append(.dense(outputs))
        return NetworkArchitecture(numericInputs: numericInputs, categoricalInputs: categoricalInputs, layers: layers)
    }

    /// The width of the first layer's input: numbers plus all embeddings.
    public var inputWidth: Int { numericInputs + categoricalInputs.reduce(0) { $0 + $1.dimension } }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
