import Foundation
import ParetoCore
import SwiftProtobuf

/// The element types of the tensors Pareto's ONNX exports read and write
/// (values of ONNX's `TensorProto.DataType`).
public enum ONNXElementType: Int32, Sendable, Codable, Equatable {
    /// 32-bit float.
    case float = 1
    /// Unsigned byte (TreeEnsemble's node modes).
    case uint8 = 2
    /// 64-bit integer (codes, indices).
    case int64 = 7
    /// UTF-8 string (categories, labels).
    case string = 8
    /// Boolean.
    case bool = 9
    /// 64-bit float: every numeric input and every prediction output.
    case double = 11

    /// The name MLflow's column signatures use for a one-dimensional column of this type.
    public var mlflowName: String {
        switch self {
        case .float: "float"
        case .uint8, .int64: "long"
        case .string: "string"
        case .bool: "boolean"
        case .double: "double"
        }
    }
}

/// One input or output of an exported graph: a tensor whose first
/// dimension is the row count ("N").
public struct ONNXTensorInfo: Sendable, Equatable {
    /// The tensor's name (an input's is its raw column's name).
    public var name: String
    /// The element type.
    public var elementType: ONNXElementType
    /// The shape; `nil` entries are dynamic (the row count).
    public var shape: [Int?]
    /// A plausible value for one row (inputs only): MLflow's input example.
    public var example: ONNXExampleValue?

    /// Creates a description.
    public init(name: String, elementType: ONNXElementType, shape: [Int?], example: ONNXExampleValue? = nil) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
        self.example = example
    }
}

/// One row's value for an input, as MLflow's `input_example.json` holds it.
public enum ONNXExampleValue: Sendable, Equatable {
    /// A number (numeric, boolean and date-time inputs).
    case number(Double)
    /// A category.
    case string(String)
}

/// An exported model: the ONNX message and what its inputs and outputs are.
public struct ONNXModel: Sendable {
    /// The ONNX `ModelProto` (decode or inspect it with SwiftProtobuf).
    public var proto: Onnx_ModelProto
    /// The graph's inputs, one per raw feature column, in the model's order.
    public var inputs: [ONNXTensorInfo]
    /// The graph's outputs.
    public var outputs: [ONNXTensorInfo]

    /// The model in ONNX's binary protobuf form (what a `.onnx` file holds).
    ///
    /// Cost: one pass over the message; the size is dominated by tree nodes
    /// or network weights.
    public func serialized() throws -> [UInt8] {
        try proto.serializedBytes()
    }

    /// Writes the model to `path` atomically (a temporary file, then a rename).
    ///
    /// - Throws: `FileError` when the file cannot be written.
    public func write(to path: String) throws {
        try writeFileAtomically(try serialized(), to: path)
    }
}

/// Builds one ONNX graph: unique value names, constants as initializers,
/// and nodes appended in order (a valid topological order by construction).
struct ONNXGraphBuilder {
    /// The default-domain opset the exports target (ONNX 1.16; checked with onnxruntime 1.32).
    static let opset: Int64 = 21
    /// The ai.onnx.ml opset: 5 brings TreeEnsemble with double thresholds and set membership.
    static let mlOpset: Int64 = 5
    /// IR version 10 goes with opset 21.
    static let irVersion: Int64 = 10

    private(set) var graph = Onnx_GraphProto()
    private(set) var inputs: [ONNXTensorInfo] = []
    private(set) var outputs: [ONNXTensorInfo] = []
    private var taken: Set<String> = []
    private var counter = 0

    init(name: String) { graph.name = name }

    /// A value name no other value uses: `stem`, suffixed when taken.
    mutating func fresh(_ stem: String) -> String {
        var name = "pareto/" + stem
        while taken.contains(name) {
            counter += 1
            name = "pareto/\(stem)_\(counter)"
        }
        taken.insert(name)
        return name
    }

    /// Declares a graph input named `name` (a raw column's name). Declaring
    /// the same input again (same name and type, as the members of a blend
    /// do) is a no-op.
    ///
    /// - Throws: `UsageError` when two inputs share a name but not a type.
    mutating func input(_ info: ONNXTensorInfo) throws {
        if let earlier = inputs.first(where: { $0.name == info.name }) {
            guard earlier.elementType == info.elementType else {
                throw UsageError("the input \"\(info.name)\" is read as \(earlier.elementType) by one model and as "
                                 + "\(info.elementType) by another", hint: "export the blend's members separately")
            }
            return
        }
        guard !taken.contains(info.name) else {
            throw UsageError("two model inputs are both named \"\(info.name)\"", hint: "rename one column and train again")
        }
        taken.insert(info.name)
        inputs.append(info)
        graph.input.append(Self.valueInfo(info))
    }

    /// Declares `value` as the graph output `name` (an Identity node renames it).
    ///
    /// - Throws: `UsageError` when `name` is already an input's name.
    mutating func output(_ value: String, as info: ONNXTensorInfo) throws {
        guard !taken.contains(info.name) else {
            throw UsageError("the output name \"\(info.name)\" is also a feature column's name",
                             hint: "rename the column \"\(info.name)\" and train again")
        }
        taken.insert(info.name)
        node("Identity", [value], named: [info.name])
        outputs.append(info)
        graph.output.append(Self.valueInfo(info))
    }

    /// Adds a constant tensor as an initializer and returns its name.
    mutating func constant(_ stem: String, _ tensor: Onnx_TensorProto) -> String {
        var tensor = tensor
        tensor.name = fresh(stem)
        graph.initializer.append(tensor)
        return tensor.name
    }

    mutating func constant(_ stem: String, doubles: [Double], shape: [Int]) -> String {
        constant(stem, Self.tensor(doubles: doubles, shape: shape))
    }

    mutating func constant(_ stem: String, floats: [Float], shape: [Int]) -> String {
        constant(stem, Self.tensor(floats: floats, shape: shape))
    }

    mutating func constant(_ stem: String, int64s: [Int64], shape: [Int]) -> String {
        constant(stem, Self.tensor(int64s: int64s, shape: shape))
    }

    mutating func constant(_ stem: String, strings: [String], shape: [Int]) -> String {
        constant(stem, Self.tensor(strings: strings, shape: shape))
    }

    /// Appends a node with one output and returns that output's name.
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], domain: String = "",
                       _ attributes: [Onnx_AttributeProto] = []) -> String {
        node(op, inputs, outputs: 1, domain: domain, attributes)[0]
    }

    /// Appends a node with `outputs` fresh outputs and returns their names.
    mutating func node(_ op: String, _ inputs: [String], outputs: Int, domain: String = "",
                       _ attributes: [Onnx_AttributeProto] = []) -> [String] {
        let names = (0..<outputs).map { _ in fresh(op.lowercased()) }
        node(op, inputs, named: names, domain: domain, attributes)
        return names
    }

    /// Appends a node whose outputs have the given names.
    mutating func node(_ op: String, _ inputs: [String], named outputs: [String], domain: String = "",
                       _ attributes: [Onnx_AttributeProto] = []) {
        var node = Onnx_NodeProto()
        node.opType = op
        node.domain = domain
        node.input = inputs
        node.output = outputs
        node.name = "n\(graph.node.count)_\(op)"
        node.attribute = attributes
        graph.node.append(node)
    }

    /// `x` ([N]) as a column [N, 1].
    mutating func column(_ x: String) -> String {
        node("Unsqueeze", [x, constant("axis1", int64s: [1], shape: [1])])
    }

    /// `x` ([N, 1]) as a vector [N].
    mutating func vector(_ x: String) -> String {
        node("Squeeze", [x, constant("axis1", int64s: [1], shape: [1])])
    }

    /// Columns `x[:, j]` for j in `0..<count`, each [N, 1].
    mutating func split(_ x: String, count: Int) -> [String] {
        if count == 1 { return [x] }
        return node("Split", [x, constant("ones", int64s: [Int64](repeating: 1, count: count), shape: [count])],
                    outputs: count, [Self.attribute("axis", int: 1)])
    }

    /// The finished model.
    func model(docString: String) -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = Self.irVersion
        model.producerName = "pareto"
        model.producerVersion = "1"
        model.docString = docString
        var standard = Onnx_OperatorSetIdProto()
        standard.domain = ""
        standard.version = Self.opset
        var ml = Onnx_OperatorSetIdProto()
        ml.domain = "ai.onnx.ml"
        ml.version = Self.mlOpset
        model.opsetImport = [standard, ml]
        model.graph = graph
        return model
    }

    // MARK: Messages

    static func valueInfo(_ info: ONNXTensorInfo) -> Onnx_ValueInfoProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = info.elementType.rawValue
        var shape = Onnx_TensorShapeProto()
        shape.dim = info.shape.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            if let size { dimension.dimValue = Int64(size) } else { dimension.dimParam = "N" }
            return dimension
        }
        tensorType.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensorType
        var value = Onnx_ValueInfoProto()
        value.name = info.name
        value.type = type
        return value
    }

    static func tensor(doubles: [Double], shape: [Int]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.dataType = ONNXElementType.double.rawValue
        t.dims = shape.map(Int64.init)
        t.doubleData = doubles
        return t
    }

    static func tensor(floats: [Float], shape: [Int]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.dataType = ONNXElementType.float.rawValue
        t.dims = shape.map(Int64.init)
        t.floatData = floats
        return t
    }

    static func tensor(int64s: [Int64], shape: [Int]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.dataType = ONNXElementType.int64.rawValue
        t.dims = shape.map(Int64.init)
        t.int64Data = int64s
        return t
    }

    static func tensor(strings: [String], shape: [Int]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.dataType = ONNXElementType.string.rawValue
        t.dims = shape.map(Int64.init)
        t.stringData = strings.map { Data($0.utf8) }
        return t
    }

    /// A uint8 tensor (ONNX stores uint8 values in `int32_data`).
    static func tensor(uint8s: [UInt8], shape: [Int]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.dataType = ONNXElementType.uint8.rawValue
        t.dims = shape.map(Int64.init)
        t.int32Data = uint8s.map(Int32.init)
        return t
    }

    static func attribute(_ name: String, int: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = int
        return a
    }

    static func attribute(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = ints
        return a
    }

    static func attribute(_ name: String, float: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = float
        return a
    }

    static func attribute(_ name: String, floats: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .floats
        a.floats = floats
        return a
    }

    static func attribute(_ name: String, string: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(string.utf8)
        return a
    }

    static func attribute(_ name: String, strings: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .strings
        a.strings = strings.map { Data($0.utf8) }
        return a
    }

    static func attribute(_ name: String, tensor: Onnx_TensorProto) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .tensor
        a.t = tensor
        return a
    }
}
