import Foundation
import ParetoCore
import ParetoData
@testable import ParetoDeploy
import ParetoFeatures
import ParetoLinear
import ParetoNeural
import ParetoTrees
import SwiftProtobuf
import Testing

/// The exported bytes decoded back with SwiftProtobuf, and the pieces the tests read.
struct DecodedONNX {
    let model: Onnx_ModelProto

    init(_ exported: ONNXModel) throws {
        model = try Onnx_ModelProto(serializedBytes: try exported.serialized())
    }

    var opTypes: [String] { model.graph.node.map(\.opType) }

    func nodes(_ op: String) -> [Onnx_NodeProto] { model.graph.node.filter { $0.opType == op } }

    func attribute(_ node: Onnx_NodeProto, _ name: String) throws -> Onnx_AttributeProto {
        try #require(node.attribute.first { $0.name == name }, "no attribute \(name) on \(node.opType)")
    }

    func initializer(_ name: String) throws -> Onnx_TensorProto {
        try #require(model.graph.initializer.first { $0.name == name }, "no initializer \(name)")
    }

    static func strings(_ data: [Data]) -> [String] { data.map { String(decoding: $0, as: UTF8.self) } }
}

@Suite("ONNX export")
struct ONNXExportTests {
    /// Root: x ≤ 1.5 (missing left) → leaf 0; else node 1: c's bin in {2, 3} → leaf 1, else leaf 2.
    static func handBuiltTree() -> DecisionTree {
        var tree = DecisionTree(leafValue: 0, count: 0)
        tree.splitFeature = [0, 1]
        tree.thresholdBin = [1, 0]
        tree.threshold = [1.5, 0]
        tree.defaultLeft = [true, false]
        tree.leftChild = [~0, ~1]
        tree.rightChild = [1, ~2]
        tree.categoryStart = [-1, 0]
        tree.categoryWordCount = [0, 1]
        tree.categoryWords = [0b1100]
        tree.splitGain = [1, 1]
        tree.leafValue = [0.5, -1.0, 2.0]
        tree.leafCount = [10, 10, 10]
        return tree
    }

    static func treeModel(extraConstantTree: Bool = false) throws -> TabularTreeModel {
        var trees = [handBuiltTree()]
        if extraConstantTree { trees.append(DecisionTree(leafValue: 0.25, count: 30)) }
        let ensemble = try GradientBoostedTrees(
            trees: trees, objective: .binary, outputCount: 1, initialScores: [-0.1],
            binning: [.numeric(upperBounds: [1.5, 3, .infinity]),
                      .categorical(levels: ["blue", "green", "red"], binOfLevel: [2, 1, 3])],
            featureNames: ["x", "c"])
        return try TabularTreeModel(importing: ensemble, target: "y", task: .binary, classLabels: ["no", "yes"],
                                    featureKinds: [.numeric, .categorical])
    }

    @Test("a 3-node tree: TreeEnsemble's node ids, modes, thresholds, missing rule, set and leaves, checked by hand")
    func treeAttributes() throws {
        let onnx = try DecodedONNX(ONNXExport.trees(try Self.treeModel(extraConstantTree: true)))
        #expect(onnx.model.opsetImport.map(\.domain) == ["", "ai.onnx.ml"])
        #expect(onnx.model.opsetImport.map(\.version) == [21, 5])
        #expect(onnx.model.graph.input.map(\.name) == ["x", "c"])
        #expect(onnx.model.graph.input.map { $0.type.tensorType.elemType } == [11, 8])
        #expect(onnx.model.graph.output.map(\.name) == ["label", "probabilities"])
        let ops = onnx.opTypes
        for op in ["LabelEncoder", "Concat", "TreeEnsemble", "Add", "Sigmoid", "ArgMax", "Gather"] {
            #expect(ops.contains(op), "no \(op) in \(ops)")
        }
        let ensemble = try #require(onnx.nodes("TreeEnsemble").first)
        #expect(ensemble.domain == "ai.onnx.ml")
        #expect(try onnx.attribute(ensemble, "tree_roots").ints == [0])
        #expect(try onnx.attribute(ensemble, "nodes_featureids").ints == [0, 1])
        #expect(try onnx.attribute(ensemble, "nodes_modes").t.int32Data == [0, 6])  // BRANCH_LEQ, BRANCH_MEMBER
        #expect(try onnx.attribute(ensemble, "nodes_splits").t.doubleData == [1.5, 0])
        #expect(try onnx.attribute(ensemble, "nodes_missing_value_tracks_true").ints == [1, 0])
        // Node 0: true → leaf 0, false → node 1. Node 1: true → leaf 1, false → leaf 2.
        #expect(try onnx.attribute(ensemble, "nodes_truenodeids").ints == [0, 1])
        #expect(try onnx.attribute(ensemble, "nodes_trueleafs").ints == [1, 1])
        #expect(try onnx.attribute(ensemble, "nodes_falsenodeids").ints == [1, 2])
        #expect(try onnx.attribute(ensemble, "nodes_falseleafs").ints == [0, 1])
        #expect(try onnx.attribute(ensemble, "membership_values").t.doubleData == [2, 3])
        #expect(try onnx.attribute(ensemble, "leaf_weights").t.doubleData == [0.5, -1.0, 2.0])
        #expect(try onnx.attribute(ensemble, "leaf_targetids").ints == [0, 0, 0])
        #expect(try onnx.attribute(ensemble, "post_transform").i == 0)
        // The single-leaf tree is folded into the constant: −0.1 + 0.25.
        let add = try #require(onnx.nodes("Add").first)
        let base = try onnx.initializer(add.input[1])
        #expect(base.doubleData.count == 1 && abs(base.doubleData[0] - 0.15) < 1e-15)
        // Categories become their training bins (unseen and missing: 0).
        let encoder = try #require(onnx.nodes("LabelEncoder").first)
        #expect(DecodedONNX.strings(try onnx.attribute(encoder, "keys_strings").strings) == ["blue", "green", "red"])
        #expect(try onnx.attribute(encoder, "values_int64s").ints == [2, 1, 3])
        #expect(try onnx.attribute(encoder, "default_int64").i == 0)
        let labels = try onnx.initializer(try #require(onnx.nodes("Gather").last).input[0])
        #expect(DecodedONNX.strings(labels.stringData) == ["no", "yes"])
    }

    @Test("multiclass: round r's tree for class k targets k; Softmax follows; Poisson regression ends in Exp")
    func targetsAndLinks() throws {
        let binning: [FeatureBinning] = [.numeric(upperBounds: [1.5, 3, .infinity]),
                                         .categorical(levels: ["blue", "green", "red"], binOfLevel: [2, 1, 3])]
        // Two rounds × three classes: trees 0, 3 → class 0; 1, 4 → class 1; 2, 5 → class 2.
        let trees = (0..<6).map { _ in Self.handBuiltTree() }
        let multiclass = try GradientBoostedTrees(trees: trees, objective: .multiclass(classes: 3), outputCount: 3,
                                                  initialScores: [0, 0.5, -0.5], binning: binning, featureNames: ["x", "c"])
        let model = try TabularTreeModel(importing: multiclass, target: "y", task: .multiclass,
                                         classLabels: ["a", "b", "c"], featureKinds: [.numeric, .categorical])
        let onnx = try DecodedONNX(ONNXExport.trees(model))
        let ensemble = try #require(onnx.nodes("TreeEnsemble").first)
        #expect(try onnx.attribute(ensemble, "n_targets").i == 3)
        #expect(try onnx.attribute(ensemble, "tree_roots").ints == [0, 2, 4, 6, 8, 10])
        let targets: [Int64] = [0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0, 1, 1, 1, 2, 2, 2]
        #expect(try onnx.attribute(ensemble, "leaf_targetids").ints == targets)
        // Tree 1's node 0 (global node 2) sends its true branch to its leaf 0 (global leaf 3).
        #expect(try onnx.attribute(ensemble, "nodes_truenodeids").ints[2] == 3)
        #expect(try onnx.attribute(ensemble, "nodes_falsenodeids").ints[2] == 3)  // node 3, its node 1
        // Each member node's set, NaN between sets: {2, 3} six times.
        let members = try onnx.attribute(ensemble, "membership_values").t.doubleData
        #expect(members.count == 17 && members.filter(\.isNaN).count == 5)
        #expect(members.filter { !$0.isNaN } == [Double](repeating: 0, count: 6).flatMap { _ in [2.0, 3.0] })
        #expect(onnx.opTypes.contains("Softmax") && !onnx.opTypes.contains("Sigmoid"))

        let poisson = try GradientBoostedTrees(trees: [Self.handBuiltTree()], objective: .poisson, outputCount: 1,
                                               initialScores: [1], binning: binning, featureNames: ["x", "c"])
        let counts = try TabularTreeModel(importing: poisson, target: "y", task: .regression, classLabels: [],
                                          featureKinds: [.numeric, .categorical])
        let exported = try ONNXExport.trees(counts)
        #expect(try DecodedONNX(exported).opTypes.contains("Exp"))
        #expect(exported.outputs.map(\.name) == ["value"])
    }

    @Test("the columns layout has one [N] output per pareto predict column")
    func columnsLayout() throws {
        let exported = try ONNXExport.trees(try Self.treeModel(), layout: .columns)
        #expect(exported.outputs.map(\.name) == ["prediction", "p_no", "p_yes"])
        #expect(exported.outputs.allSatisfy { $0.shape.count == 1 })
        #expect(exported.inputs.map(\.elementType) == [.double, .string])
    }

    /// A tiny frame for the linear pipeline: x has a missing value, c three categories.
    static func linearParts() throws -> (FittedPipeline, DataFrame) {
        let frame = try DataFrame([
            .numeric("x", [1, 2, .nan, 5, 7, 3, 2, 4]),
            .categorical("c", ["a", "b", "a", "b", "a", "b", "a", "c"]),
            .categorical("y", ["n", "p", "n", "p", "n", "p", "p", "n"]),
        ])
        let pipeline = Pipeline([
            .init(.numeric, SimpleImputer(strategy: .mean, indicators: .missingInTraining, indicatorValues: .number)),
            .init(.numeric, StandardScaler()),
            .init(.categorical, OneHotEncoder(minFrequency: .count(2), unknown: .infrequent)),
        ])
        return try pipeline.fitTransform(frame, target: "y")
    }

    @Test("logistic: imputation, scaling, one-hot and LinearClassifier carry the fitted values")
    func logisticAttributes() throws {
        let (pipeline, design) = try Self.linearParts()
        let names = design.columnNames.filter { $0 != "y" }
        // x, x_missing, c=a, c=b, c=(infrequent): c has one row, below the minimum of 2.
        #expect(names == ["x", "x_missing", "c=a", "c=b", "c=(infrequent)"])
        let coefficients = [0.5, -1.25, 2.0, 0.75, -0.125]
        let model = LinearTabularModel(featureNames: names, task: .binary, classLabels: ["n", "p"],
                                       fitted: .binary(LogisticModel(coefficients: coefficients, intercept: 0.3)))
        let onnx = try DecodedONNX(ONNXExport.linear(featureNames: ["x", "c"], featureKinds: [.numeric, .categorical],
                                                      pipeline: pipeline, model: model, target: "y"))
        let classifier = try #require(onnx.nodes("LinearClassifier").first)
        #expect(try onnx.attribute(classifier, "coefficients").floats == coefficients.map(Float.init))
        #expect(try onnx.attribute(classifier, "intercepts").floats == [0.3])
        #expect(DecodedONNX.strings(try onnx.attribute(classifier, "classlabels_strings").strings) == ["n", "p"])
        #expect(String(decoding: try onnx.attribute(classifier, "post_transform").s, as: UTF8.self) == "LOGISTIC")
        // Mean of the present x values: (1+2+5+7+3+2+4)/7 = 24/7, filled where x is NaN.
        let fill = try #require(onnx.nodes("Where").first)
        #expect(onnx.nodes("IsNaN").map { $0.output[0] }.contains(fill.input[0]))
        let fillValue = try onnx.initializer(fill.input[1]).doubleData
        #expect(fillValue.count == 1 && abs(fillValue[0] - 24.0 / 7.0) < 1e-12)
        // The scaler sees the filled column: mean 24/7; population sd over the 8 filled values.
        let filled = [1, 2, 24.0 / 7, 5, 7, 3, 2, 4]
        let sd = (filled.map { ($0 - 24.0 / 7) * ($0 - 24.0 / 7) }.reduce(0, +) / 8).squareRoot()
        let sub = try #require(onnx.nodes("Sub").first), div = try #require(onnx.nodes("Div").first)
        #expect(sub.input[0] == fill.output[0] && div.input[0] == sub.output[0])
        let mean = try onnx.initializer(sub.input[1]).doubleData
        #expect(mean.count == 1 && abs(mean[0] - 24.0 / 7.0) < 1e-12)
        let scale = try onnx.initializer(div.input[1]).doubleData
        #expect(scale.count == 1 && abs(scale[0] - sd) < 1e-12)
        // Categories: a → column 0, b → column 1, c (infrequent) and unseen → column 2.
        let encoders = onnx.nodes("LabelEncoder")
        #expect(encoders.count == 1)
        #expect(DecodedONNX.strings(try onnx.attribute(encoders[0], "keys_strings").strings) == ["a", "b", "c", ""])
        let destinations = try onnx.attribute(encoders[0], "values_int64s").ints
        #expect(Array(destinations.prefix(3)) == [0, 1, 2])
        #expect(try onnx.attribute(encoders[0], "default_int64").i == 2)
        let oneHot = try #require(onnx.nodes("OneHotEncoder").first)
        #expect(try onnx.attribute(oneHot, "cats_int64s").ints == [0, 1, 2])
        #expect(onnx.opTypes.contains("IsNaN"))  // the x_missing indicator
    }

    @Test("linear regression: the coefficients and intercept, in double")
    func linearRegression() throws {
        let (pipeline, design) = try Self.linearParts()
        let names = design.columnNames.filter { $0 != "y" }
        let model = LinearTabularModel(featureNames: names, task: .regression, classLabels: [],
                                       fitted: .regression(LinearModel(coefficients: [1, 2, 3, 4, 5], intercept: -2)))
        let exported = try ONNXExport.linear(featureNames: ["x", "c"], featureKinds: [.numeric, .categorical],
                                             pipeline: pipeline, model: model, target: "y")
        let onnx = try DecodedONNX(exported)
        let product = try #require(onnx.nodes("MatMul").first)
        let coefficients = try onnx.initializer(product.input[1])
        #expect(coefficients.doubleData == [1, 2, 3, 4, 5] && coefficients.dims == [5, 1])
        let add = try #require(onnx.nodes("Add").first { $0.input[0] == product.output[0] })
        #expect(try onnx.initializer(add.input[1]).doubleData == [-2])
        #expect(exported.outputs.map(\.name) == ["value"])
    }

    @Test("tensor inputs: one [N, features] double input X feeds the ensemble directly; categorical columns refused")
    func tensorInputs() throws {
        // The hand-built tree with its categorical feature swapped for a numeric one.
        var tree = Self.handBuiltTree()
        tree.categoryStart = [-1, -1]
        tree.categoryWordCount = [0, 0]
        tree.categoryWords = []
        tree.threshold = [1.5, 7]
        let ensemble = try GradientBoostedTrees(
            trees: [tree], objective: .binary, outputCount: 1, initialScores: [-0.1],
            binning: [.numeric(upperBounds: [1.5, 3, .infinity]), .numeric(upperBounds: [7, .infinity])],
            featureNames: ["x", "z"])
        let numeric = try TabularTreeModel(importing: ensemble, target: "y", task: .binary, classLabels: ["no", "yes"],
                                           featureKinds: [.numeric, .numeric])
        let exported = try ONNXExport.trees(numeric, inputs: .tensor)
        #expect(exported.inputs == [ONNXTensorInfo(name: "X", elementType: .double, shape: [nil, 2])])
        let decoded = try DecodedONNX(exported)
        #expect(decoded.model.graph.input.map(\.name) == ["X"])
        let dims = decoded.model.graph.input[0].type.tensorType.shape.dim
        #expect(dims.count == 2 && dims[1].dimValue == 2, "[N, 2]")
        #expect(try #require(decoded.nodes("TreeEnsemble").first).input == ["X"])
        // The same graph as the per-column export less the columns' Unsqueeze and their Concat
        // (the probabilities' [1 − p, p] Concat stays), with the same thresholds and leaves.
        let columns = try DecodedONNX(try ONNXExport.trees(numeric))
        #expect(!decoded.opTypes.contains("Unsqueeze") && columns.nodes("Unsqueeze").count == 2)
        #expect(decoded.nodes("Concat").count == columns.nodes("Concat").count - 1)
        for name in ["nodes_splits", "leaf_weights"] {
            #expect(try decoded.attribute(decoded.nodes("TreeEnsemble")[0], name)
                    == columns.attribute(columns.nodes("TreeEnsemble")[0], name))
        }
        let refused = #expect(throws: UsageError.self) { try ONNXExport.trees(try Self.treeModel(), inputs: .tensor) }
        #expect(refused?.message.contains("column \"c\" is categorical") == true)
    }

    @Test("refusals name the column or step: free text, date parts, an encoder that rejects unseen categories")
    func refusals() throws {
        let (pipeline, design) = try Self.linearParts()
        let names = design.columnNames.filter { $0 != "y" }
        let model = LinearTabularModel(featureNames: names, task: .regression, classLabels: [],
                                       fitted: .regression(LinearModel(coefficients: [1, 2, 3, 4, 5], intercept: 0)))
        let text = #expect(throws: UsageError.self) {
            try ONNXExport.linear(featureNames: ["x", "c"], featureKinds: [.numeric, .text], pipeline: pipeline,
                                  model: model, target: "y")
        }
        #expect(text?.message.contains("column \"c\" is free text") == true)

        let strict = try DataFrame([.categorical("c", ["a", "b", "a"]), .numeric("y", [1, 2, 3])])
        let (strictPipeline, strictDesign) = try Pipeline([.init(.categorical, OneHotEncoder(unknown: .error))])
            .fitTransform(strict, target: "y")
        let strictModel = LinearTabularModel(
            featureNames: strictDesign.columnNames.filter { $0 != "y" }, task: .regression, classLabels: [],
            fitted: .regression(LinearModel(coefficients: [1, 2], intercept: 0)))
        let unseen = #expect(throws: UsageError.self) {
            try ONNXExport.linear(featureNames: ["c"], featureKinds: [.categorical], pipeline: strictPipeline,
                                  model: strictModel, target: "y")
        }
        #expect(unseen?.message.contains("column \"c\" rejects unseen categories") == true)
        #expect(unseen?.message.contains("pipeline step 1 (one_hot_encoder)") == true)

        let dated = try DataFrame([Column(name: "d", values: .datetime(DateTimeColumn(microseconds: [0, 86_400_000_000, 172_800_000_000],
                                                                             hasTime: false))), .numeric("y", [1, 2, 3])])
        let (datePipeline, dateDesign) = try Pipeline([.init(.datetime, DateParts())]).fitTransform(dated, target: "y")
        let dateModel = LinearTabularModel(
            featureNames: dateDesign.columnNames.filter { $0 != "y" }, task: .regression, classLabels: [],
            fitted: .regression(LinearModel(coefficients: [Double](repeating: 1, count: dateDesign.columnCount - 1),
                                            intercept: 0)))
        let parts = #expect(throws: UsageError.self) {
            try ONNXExport.linear(featureNames: ["d"], featureKinds: [.datetime], pipeline: datePipeline,
                                  model: dateModel, target: "y")
        }
        #expect(parts?.message.contains("date-time column \"d\"") == true)
    }

    @Test("MLP: Gemm weights and biases are the network's parameters, embeddings a Gather table")
    func mlpGraph() throws {
        // x: mean 2, population sd 1, a missing value (so an indicator); c: levels b, a (first seen first).
        let frame = try DataFrame([.numeric("x", [1, .nan, 3]), .categorical("c", ["b", "a", nil]),
                                   .numeric("y", [0, 1, 2])])
        let encoding = try TableEncoding(fitting: frame, excluding: "y", dimensions: ["c": 2])
        #expect(encoding.features == [.numeric(name: "x", kind: .numeric, mean: 2, scale: 1, indicator: true),
                                      .categorical(name: "c", levels: ["b", "a"], dimension: 2)])
        let architecture = NetworkArchitecture.perceptron(
            numericInputs: 2, categoricalInputs: [CategoricalInput(cardinality: 3, dimension: 2)], hidden: [3], outputs: 1)
        let network = try Network(architecture, seed: 3)
        let model = MLPModel(target: "y", task: .regression, classLabels: [], encoding: encoding, network: network,
                             targetMean: 10, targetScale: 2)
        let onnx = try DecodedONNX(ONNXExport.mlp(model))
        let p = network.parameters
        // Layout: embedding table (3 × 2), then dense 4 → 3 (W, b), then dense 3 → 1.
        #expect(p.count == 6 + 12 + 3 + 3 + 1)
        let gemms = onnx.nodes("Gemm")
        #expect(gemms.count == 2)
        #expect(try onnx.initializer(gemms[0].input[1]).floatData == Array(p[6..<18]))
        #expect(try onnx.initializer(gemms[0].input[1]).dims == [4, 3])
        #expect(try onnx.initializer(gemms[0].input[2]).floatData == Array(p[18..<21]))
        #expect(try onnx.initializer(gemms[1].input[1]).floatData == Array(p[21..<24]))
        #expect(try onnx.initializer(gemms[1].input[2]).floatData == [p[24]])
        #expect(onnx.nodes("Relu").count == 1)
        let table = try onnx.initializer(try #require(onnx.nodes("Gather").first).input[0])
        #expect(table.floatData == Array(p[0..<6]) && table.dims == [3, 2])
        let codes = try #require(onnx.nodes("LabelEncoder").first)
        #expect(DecodedONNX.strings(try onnx.attribute(codes, "keys_strings").strings) == ["b", "a"])
        #expect(try onnx.attribute(codes, "values_int64s").ints == [1, 2])  // code = 1 + level index; 0 missing/unseen
        // Standardizing: (x − 2) / 1 in double, then a cast to float.
        let sub = try #require(onnx.nodes("Sub").first), div = try #require(onnx.nodes("Div").first)
        #expect(try onnx.initializer(sub.input[1]).doubleData == [2])
        #expect(try onnx.initializer(div.input[1]).doubleData == [1])
    }
}

@Suite("MLflow export")
struct MLflowExportTests {
    @Test("the directory holds MLmodel with both flavors and the signature, the model and an input example")
    func directory() throws {
        let exported = try ONNXExport.trees(try ONNXExportTests.treeModel(), layout: .columns)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-\(UUID().uuidString)").path
        try MLflowExport.write(exported, to: directory, createdAt: Date(timeIntervalSince1970: 0))
        let mlmodel = try String(contentsOfFile: directory + "/MLmodel", encoding: .utf8)
        #expect(mlmodel.contains("  onnx:\n    code: null\n    data: model.onnx"))
        #expect(mlmodel.contains("  python_function:\n    data: model.onnx\n    loader_module: mlflow.onnx"))
        #expect(mlmodel.contains(#"inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "c", "required": true}]'"#))
        #expect(mlmodel.contains(#"{"type": "string", "name": "prediction", "required": true}"#))
        #expect(mlmodel.contains("utc_time_created: '1970-01-01T00:00:00.000Z'"))
        let example = try String(contentsOfFile: directory + "/input_example.json", encoding: .utf8)
        #expect(example == "{\"columns\": [\"x\", \"c\"], \"data\": [[3.0, \"blue\"]]}\n")
        let onnx = try Onnx_ModelProto(serializedBytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/model.onnx"))))
        #expect(onnx.graph.output.map(\.name) == ["prediction", "p_no", "p_yes"])
        // No temporary directory is left beside it.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: (directory as NSString).deletingLastPathComponent)
        #expect(!siblings.contains { $0.hasPrefix((directory as NSString).lastPathComponent + ".tmp") })

        let again = #expect(throws: FileError.self) { try MLflowExport.write(exported, to: directory) }
        #expect(again?.message.contains("already exists") == true)
    }

    @Test("a two-dimensional output is refused: MLflow serves one column per output")
    func tensorsLayoutRefused() throws {
        let exported = try ONNXExport.trees(try ONNXExportTests.treeModel(), layout: .tensors)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-\(UUID().uuidString)").path
        let error = #expect(throws: UsageError.self) { try MLflowExport.write(exported, to: directory) }
        #expect(error?.message.contains("\"probabilities\" has 2 dimensions") == true)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}
