import Foundation
import ParetoCore
import ParetoData
import ParetoFeatures
import ParetoLinear
import ParetoNeural
import ParetoTrees

/// How an exported classifier or regressor names its outputs.
public enum ONNXOutputLayout: String, Sendable, Codable, CaseIterable {
    /// `label` ([N] strings) and `probabilities` ([N, classes] doubles, in
    /// class-label order) for classifiers; `value` ([N] doubles) for regressors.
    case tensors
    /// One [N] output per column of `pareto predict`'s CSV: `prediction`,
    /// then `p_<label>` per class. MLflow's ONNX flavor needs this: it turns
    /// each output into one column of a DataFrame, so every output must be
    /// one-dimensional.
    case columns
}

/// How an exported model takes its inputs.
public enum ONNXInputLayout: String, Sendable, Codable, CaseIterable {
    /// One [N] input per raw feature column, named as the column: doubles
    /// for numeric columns, strings for categorical ones. Every model family.
    case columns
    /// One [N, features] double input named `X`, columns in the model's
    /// feature order: for tree models whose features are all numeric. One
    /// input instead of one per column cuts onnxruntime's per-call overhead
    /// (it binds and checks each input on every call).
    case tensor
}

/// Exports Pareto models to ONNX, with the ONNX-ML operators, so that
/// onnxruntime (or any ONNX runtime with ai.onnx.ml opset 5) serves them
/// with Pareto's predictions.
///
/// ```swift
/// let onnx = try ONNXExport.trees(try TabularTreeModel.load(from: "model.pareto"))
/// try onnx.write(to: "model.onnx")
/// ```
///
/// Inputs: one tensor of shape [N] per raw feature column, named as the
/// column: doubles for numeric columns (NaN for missing), booleans (0/1)
/// and date-times (microseconds since 1970, as Pareto reads them), strings
/// for categorical columns (the empty string for missing). One input per
/// column keeps categories as text and lets a DataFrame feed the model
/// column by column (MLflow does so).
///
/// Outputs: see `ONNXOutputLayout`; probabilities and values are doubles.
///
/// Families:
/// - Trees (`TabularTreeModel`, boosting and random forests): one
///   ai.onnx.ml `TreeEnsemble` (opset 5) on double inputs, so thresholds
///   compare exactly as Pareto's; numeric splits use `BRANCH_LEQ` with
///   `nodes_missing_value_tracks_true` = the split's default direction;
///   categorical splits use `BRANCH_MEMBER` over the category's training
///   bin, which a `LabelEncoder` computes (unseen and missing categories:
///   bin 0, never in a set, as in Pareto). Initial scores are added and
///   the objective's link applied with standard operators (Sigmoid,
///   Softmax, Exp) in double precision.
/// - Linear and logistic (`Pipeline.linearPreprocessing` + coefficients):
///   imputation and standard scaling in double with standard operators
///   (`IsNaN`, `Where`, `Sub`, `Div`; a `<column>_missing` indicator where
///   training had missing values), `LabelEncoder` + `OneHotEncoder` for
///   categories and booleans (infrequent, missing, unseen and dropped
///   categories routed as the fitted encoder does), then
///   `LinearClassifier` (float, like every ONNX-ML linear operator:
///   probabilities agree to about 1e-7) or, for regression, `MatMul` + `Add`
///   in double. ONNX-ML's `Imputer`, `Scaler` and `LinearRegressor` hold
///   float32 attributes, which would move a prediction of 500,000 by ~0.05.
/// - MLPs (`MLPModel`): standardization and missing indicators in double
///   then cast to float (as Pareto's encoding), `LabelEncoder` + `Gather`
///   for embeddings, `Gemm`, `Relu`, `Gelu`, `Tanh`, `Sigmoid`,
///   `LayerNormalization`, `BatchNormalization`, residual `Add`; dropout is
///   the identity in inference and is left out.
///
/// Cost: linear in the model's size (tree nodes, weights); no data is read.
public enum ONNXExport {
    // MARK: Trees

    /// The ONNX graph of a tree ensemble.
    ///
    /// - Throws: `UsageError` for a text feature column, a feature name
    ///   that is also an output name, or a model too large for onnxruntime's
    ///   32-bit node ids.
    /// - Parameter inputs: `.columns` (the default) or `.tensor` (numeric
    ///   features only; `UsageError` naming the first categorical column otherwise).
    public static func trees(_ model: TabularTreeModel, layout: ONNXOutputLayout = .tensors,
                             inputs: ONNXInputLayout = .columns) throws -> ONNXModel {
        var g = ONNXGraphBuilder(name: "pareto_trees")
        let head = try treesHead(model, &g, inputs: inputs)
        try finish(&g, head, labels: model.classLabels, layout: layout)
        let doc = "Pareto \(model.model.trees.count)-tree ensemble for \"\(model.target)\" (\(model.task.rawValue))"
        return ONNXModel(proto: g.model(docString: doc), inputs: g.inputs, outputs: g.outputs)
    }

    /// The tree ensemble's nodes in `g`, up to its predictions.
    static func treesHead(_ model: TabularTreeModel, _ g: inout ONNXGraphBuilder,
                          inputs: ONNXInputLayout = .columns) throws -> ONNXHead {
        let m = model.model
        let names = m.featureNames
        let kinds = model.featureKinds
        guard names.count == kinds.count, names.count == m.binning.count else {
            throw UsageError("the model has \(names.count) feature names, \(kinds.count) kinds and \(m.binning.count) binnings",
                             hint: "save the model again with this version of Pareto")
        }
        let x: String
        if inputs == .tensor {
            for (j, name) in names.enumerated() {
                if case .categorical = m.binning[j] {
                    throw UsageError("the column \"\(name)\" is categorical, and a tensor input holds numbers only",
                                     hint: "export with one input per column (the default), or train on numeric columns")
                }
                try checkNumericKind(kinds[j], name)
            }
            try g.input(ONNXTensorInfo(name: "X", elementType: .double, shape: [nil, names.count]))
            x = "X"
        } else {
            x = try treeColumnInputs(model, &g)
        }
        return try treeEnsembleHead(m, task: model.task, x, &g)
    }

    /// One input per feature column, concatenated into the [N, features] doubles the ensemble reads.
    static func treeColumnInputs(_ model: TabularTreeModel, _ g: inout ONNXGraphBuilder) throws -> String {
        let m = model.model
        let names = m.featureNames
        let kinds = model.featureKinds
        var columns: [String] = []
        for (j, name) in names.enumerated() {
            switch m.binning[j] {
            case .categorical(let levels, let binOfLevel):
                try g.input(ONNXTensorInfo(name: name, elementType: .string, shape: [nil],
                                           example: .string(levels.first ?? "")))
                let bins = g.node("LabelEncoder", [name], domain: "ai.onnx.ml", [
                    ONNXGraphBuilder.attribute("keys_strings", strings: levels),
                    ONNXGraphBuilder.attribute("values_int64s", ints: binOfLevel.map(Int64.init)),
                    ONNXGraphBuilder.attribute("default_int64", int: 0),
                ])
                let asDouble = g.node("Cast", [bins], [ONNXGraphBuilder.attribute("to", int: 11)])
                columns.append(g.column(asDouble))
            case .numeric(let bounds):
                try checkNumericKind(kinds[j], name)
                try g.input(ONNXTensorInfo(name: name, elementType: .double, shape: [nil],
                                           example: .number(kinds[j] == .boolean ? 1 : exampleNumber(bounds))))
                columns.append(g.column(name))
            }
        }
        return columns.count == 1 ? columns[0] : g.node("Concat", columns, [ONNXGraphBuilder.attribute("axis", int: 1)])
    }

    /// The ensemble on `x` ([N, features] doubles), up to its predictions.
    static func treeEnsembleHead(_ m: GradientBoostedTrees, task: TaskKind, _ x: String,
                                 _ g: inout ONNXGraphBuilder) throws -> ONNXHead {
        let k = m.outputCount
        var base = m.initialScores
        let ensemble = try TreeEnsembleAttributes(m.trees, outputCount: k, constants: &base)
        var raw: String
        if ensemble.hasNodes {
            let sum = g.node("TreeEnsemble", [x], domain: "ai.onnx.ml", ensemble.attributes)
            raw = g.node("Add", [sum, g.constant("initial_scores", doubles: base, shape: [k])])
        } else {
            // No tree splits: every row gets the constants (TreeEnsemble needs at least one node).
            // Zeros of shape [N, 1] (IsNaN's 0/1 times 0: never NaN, whatever the input).
            let first = g.node("Slice", [x, g.constant("start", int64s: [0], shape: [1]),
                                         g.constant("end", int64s: [1], shape: [1]),
                                         g.constant("axis", int64s: [1], shape: [1])])
            let flags = g.node("Cast", [g.node("IsNaN", [first])], [ONNXGraphBuilder.attribute("to", int: 11)])
            let zeros = g.node("Mul", [flags, g.constant("zero", doubles: [0], shape: [1])])
            raw = g.node("Add", [zeros, g.constant("initial_scores", doubles: base, shape: [k])])
        }

        switch task {
        case .regression:
            if m.objective == .poisson { raw = g.node("Exp", [raw]) }
            return .value(raw)
        case .binary:
            return .positive(m.objective == nil ? raw : g.node("Sigmoid", [raw]))
        case .multiclass:
            return .probabilities(m.objective == nil ? raw
                : g.node("Softmax", [raw], [ONNXGraphBuilder.attribute("axis", int: 1)]))
        }
    }

    // MARK: Linear

    /// The ONNX graph of a linear or logistic model with its fitted
    /// preprocessing (what `pareto train --model linear|logistic` saves).
    ///
    /// `featureNames` and `featureKinds` are the raw columns the pipeline
    /// reads; `pipeline` must consist of the steps
    /// `Pipeline.linearPreprocessing()` makes (simple imputation of numbers,
    /// standard scaling, one-hot encoding); `model`'s feature names are the
    /// pipeline's output columns.
    ///
    /// - Throws: `UsageError` naming the step or column that ONNX export
    ///   does not support (date parts, a categorical or boolean fill, text
    ///   columns), or a design column the pipeline does not make.
    public static func linear(featureNames: [String], featureKinds: [ColumnKind], pipeline: FittedPipeline,
                              model: LinearTabularModel, target: String,
                              layout: ONNXOutputLayout = .tensors) throws -> ONNXModel {
        var g = ONNXGraphBuilder(name: "pareto_linear")
        let head = try linearHead(featureNames: featureNames, featureKinds: featureKinds, pipeline: pipeline,
                                  model: model, &g)
        try finish(&g, head, labels: model.classLabels, layout: layout)
        let family = model.task == .regression ? "linear regression" : "logistic regression"
        return ONNXModel(proto: g.model(docString: "Pareto \(family) for \"\(target)\" (\(model.task.rawValue))"),
                         inputs: g.inputs, outputs: g.outputs)
    }

    /// The preprocessing and linear model's nodes in `g`, up to its predictions.
    static func linearHead(featureNames: [String], featureKinds: [ColumnKind], pipeline: FittedPipeline,
                           model: LinearTabularModel, _ g: inout ONNXGraphBuilder) throws -> ONNXHead {
        guard featureNames.count == featureKinds.count else {
            throw UsageError("\(featureNames.count) feature names for \(featureKinds.count) kinds")
        }
        var blocks = try linearInputs(&g, featureNames, featureKinds, pipeline)
        for (s, step) in pipeline.steps.enumerated() {
            let stepName = "pipeline step \(s + 1) (\(step.transform.kind))"
            switch step.transform.base {
            case let imputer as SimpleImputer.Fitted:
                try exportImputer(&g, &blocks, imputer, stepName)
            case let scaler as StandardScaler.Fitted:
                try exportScaler(&g, &blocks, scaler, stepName)
            case let encoder as OneHotEncoder.Fitted:
                try exportOneHot(&g, &blocks, encoder, stepName)
            case let parts as DateParts.Fitted:
                if !parts.columns.isEmpty {
                    throw UsageError("\(stepName): ONNX export does not support date parts, but the model splits "
                                     + "the date-time column \"\(parts.columns[0])\"",
                                     hint: "drop date-time columns before training, or export a tree model")
                }
            default:
                throw UsageError("\(stepName): ONNX export does not support this transformer",
                                 hint: "export models trained with Pipeline.linearPreprocessing()")
            }
        }
        // The design matrix in the model's column order.
        let used = blocks.filter { $0.kind == .number && !$0.names.isEmpty }
        let concatenated = used.count == 1 ? used[0].value
            : g.node("Concat", used.map(\.value), [ONNXGraphBuilder.attribute("axis", int: 1)])
        let order = used.flatMap(\.names)
        if order != model.featureNames {
            var index: [String: Int] = [:]
            for (i, name) in order.enumerated() { index[name] = i }
            let indices = try model.featureNames.map { name -> Int64 in
                guard let i = index[name] else {
                    throw UsageError("the model's column \"\(name)\" is not made by its pipeline",
                                     hint: "the model file is inconsistent: train it again")
                }
                return Int64(i)
            }
            let design = g.node("Gather", [concatenated, g.constant("design_columns", int64s: indices, shape: [indices.count])],
                                [ONNXGraphBuilder.attribute("axis", int: 1)])
            return try linearModelHead(&g, design: design, model: model)
        }
        return try linearModelHead(&g, design: concatenated, model: model)
    }

    private static func linearModelHead(_ g: inout ONNXGraphBuilder, design: String,
                                        model: LinearTabularModel) throws -> ONNXHead {
        let d = model.featureNames.count
        func floats(_ values: [Double]) -> [Float] { values.map(Float.init) }
        switch model.fitted {
        case .regression(let m):
            // MatMul in double, not LinearRegressor: its float coefficients lose about 1e-7 of
            // the value, 0.05 on house prices, where classifiers' probabilities lose 1e-7 absolute.
            try checkCount(m.coefficients.count, d)
            let product = g.node("MatMul", [design, g.constant("coefficients", doubles: m.coefficients, shape: [d, 1])])
            return .value(g.node("Add", [product, g.constant("intercept", doubles: [m.intercept], shape: [1])]))
        case .binary(let m):
            try checkCount(m.coefficients.count, d)
            let design = g.node("Cast", [design], [ONNXGraphBuilder.attribute("to", int: 1)])
            let outputs = g.node("LinearClassifier", [design], outputs: 2, domain: "ai.onnx.ml", [
                ONNXGraphBuilder.attribute("coefficients", floats: floats(m.coefficients)),
                ONNXGraphBuilder.attribute("intercepts", floats: [Float(m.intercept)]),
                ONNXGraphBuilder.attribute("classlabels_strings", strings: model.classLabels),
                ONNXGraphBuilder.attribute("post_transform", string: "LOGISTIC"),
            ])
            return .probabilities(g.node("Cast", [outputs[1]], [ONNXGraphBuilder.attribute("to", int: 11)]))
        case .multinomial(let m):
            for row in m.coefficients { try checkCount(row.count, d) }
            let design = g.node("Cast", [design], [ONNXGraphBuilder.attribute("to", int: 1)])
            let outputs = g.node("LinearClassifier", [design], outputs: 2, domain: "ai.onnx.ml", [
                ONNXGraphBuilder.attribute("coefficients", floats: floats(m.coefficients.flatMap { $0 })),
                ONNXGraphBuilder.attribute("intercepts", floats: floats(m.intercepts)),
                ONNXGraphBuilder.attribute("classlabels_strings", strings: model.classLabels),
                ONNXGraphBuilder.attribute("post_transform", string: "SOFTMAX"),
            ])
            return .probabilities(g.node("Cast", [outputs[1]], [ONNXGraphBuilder.attribute("to", int: 11)]))
        }
    }

    private static func checkCount(_ count: Int, _ expected: Int) throws {
        guard count == expected else {
            throw UsageError("the model has \(count) coefficients for \(expected) columns",
                             hint: "the model file is inconsistent: train it again")
        }
    }

    /// A run of consecutive columns of the frame as the pipeline transforms
    /// it: one [N, names.count] tensor.
    struct Block {
        enum Kind { case number, category, boolean }
        var names: [String]
        var value: String
        var kind: Kind
    }

    private static func linearInputs(_ g: inout ONNXGraphBuilder, _ names: [String], _ kinds: [ColumnKind],
                                     _ pipeline: FittedPipeline) throws -> [Block] {
        // Typical values for the input example: the scaler's means where known.
        var means: [String: Double] = [:]
        var levels: [String: String] = [:]
        for step in pipeline.steps {
            if let scaler = step.transform.base as? StandardScaler.Fitted {
                for (c, mean) in zip(scaler.columns, scaler.means) { means[c] = mean }
            }
            if let encoder = step.transform.base as? OneHotEncoder.Fitted {
                for f in encoder.features { levels[f.column] = f.levels.first }
            }
        }
        var blocks: [Block] = []
        for (name, kind) in zip(names, kinds) {
            switch kind {
            case .numeric, .datetime:
                try g.input(ONNXTensorInfo(name: name, elementType: .double, shape: [nil],
                                           example: .number(means[name] ?? 0)))
                blocks.append(Block(names: [name], value: g.column(name), kind: .number))
            case .boolean:
                try g.input(ONNXTensorInfo(name: name, elementType: .double, shape: [nil], example: .number(1)))
                blocks.append(Block(names: [name], value: g.column(name), kind: .boolean))
            case .categorical:
                try g.input(ONNXTensorInfo(name: name, elementType: .string, shape: [nil],
                                           example: .string(levels[name] ?? "")))
                blocks.append(Block(names: [name], value: g.column(name), kind: .category))
            case .text:
                throw UsageError("column \"\(name)\" is free text, which ONNX export does not encode",
                                 hint: "drop the column before training")
            }
        }
        return blocks
    }

    private static func blockIndex(_ blocks: [Block], _ column: String, _ stepName: String) throws -> Int {
        guard let b = blocks.firstIndex(where: { $0.names == [column] }) else {
            throw UsageError("\(stepName): column \"\(column)\" is not a single input column at this step",
                             hint: "export models trained with Pipeline.linearPreprocessing()")
        }
        return b
    }

    private static func exportImputer(_ g: inout ONNXGraphBuilder, _ blocks: inout [Block],
                                      _ imputer: SimpleImputer.Fitted, _ stepName: String) throws {
        let indicated = Set(imputer.indicatorColumns)
        for (column, fill) in zip(imputer.columns, imputer.fills) {
            guard case .number(let value) = fill else {
                throw UsageError("\(stepName): ONNX export imputes numbers only, but column \"\(column)\" is "
                                 + "filled with a category or boolean", hint: "export models trained with Pipeline.linearPreprocessing()")
            }
            let b = try blockIndex(blocks, column, stepName)
            guard blocks[b].kind == .number else {
                throw UsageError("\(stepName): column \"\(column)\" is not numeric")
            }
            let x = blocks[b].value
            let missing = g.node("IsNaN", [x])
            blocks[b].value = g.node("Where", [missing, g.constant("fill", doubles: [value], shape: [1]), x])
            if indicated.contains(column) {
                let indicator = g.node("Cast", [missing], [ONNXGraphBuilder.attribute("to", int: 11)])
                blocks.insert(Block(names: [column + "_missing"], value: indicator, kind: .number), at: b + 1)
            }
        }
    }

    private static func exportScaler(_ g: inout ONNXGraphBuilder, _ blocks: inout [Block],
                                     _ scaler: StandardScaler.Fitted, _ stepName: String) throws {
        for (j, column) in scaler.columns.enumerated() {
            let b = try blockIndex(blocks, column, stepName)
            // (x − mean) / scale, the same two roundings as StandardScaler.
            let centered = g.node("Sub", [blocks[b].value, g.constant("mean", doubles: [scaler.means[j]], shape: [1])])
            blocks[b].value = g.node("Div", [centered, g.constant("scale", doubles: [scaler.scales[j]], shape: [1])])
        }
    }

    private static func exportOneHot(_ g: inout ONNXGraphBuilder, _ blocks: inout [Block],
                                     _ encoder: OneHotEncoder.Fitted, _ stepName: String) throws {
        for feature in encoder.features {
            let b = try blockIndex(blocks, feature.column, stepName)
            func code(_ destination: OneHotEncoder.Destination) throws -> Int64 {
                switch destination {
                case .output(let i): return Int64(i)
                case .zeros: return -1
                case .error:
                    throw UsageError("\(stepName): column \"\(feature.column)\" rejects unseen categories, which "
                                     + "ONNX cannot report as errors", hint: "train with unknown: .ignore or .infrequent")
                }
            }
            let destinations = try feature.destinations.map(code)
            let unknown = try code(feature.unknown)
            let missing = try code(feature.missing)
            let codes: String
            switch blocks[b].kind {
            case .category:
                // The empty string is how the exported model reads a missing category.
                codes = g.node("LabelEncoder", [blocks[b].value], domain: "ai.onnx.ml", [
                    ONNXGraphBuilder.attribute("keys_strings", strings: feature.levels + [""]),
                    ONNXGraphBuilder.attribute("values_int64s", ints: destinations + [missing]),
                    ONNXGraphBuilder.attribute("default_int64", int: unknown),
                ])
            case .boolean:
                // Booleans arrive as 0/1/NaN; NaN becomes −1 so that it can be a key.
                let x = blocks[b].value
                let keyed = g.node("Where", [g.node("IsNaN", [x]), g.constant("minus_one", doubles: [-1], shape: [1]), x])
                let asFloat = g.node("Cast", [keyed], [ONNXGraphBuilder.attribute("to", int: 1)])
                let keys = try feature.levels.map { level -> Float in
                    switch level {
                    case "false": return 0
                    case "true": return 1
                    default: throw UsageError("\(stepName): boolean column \"\(feature.column)\" has the level \"\(level)\"")
                    }
                }
                codes = g.node("LabelEncoder", [asFloat], domain: "ai.onnx.ml", [
                    ONNXGraphBuilder.attribute("keys_floats", floats: keys + [-1]),
                    ONNXGraphBuilder.attribute("values_int64s", ints: destinations + [missing]),
                    ONNXGraphBuilder.attribute("default_int64", int: unknown),
                ])
            case .number:
                throw UsageError("\(stepName): column \"\(feature.column)\" is numeric; ONNX export one-hot encodes "
                                 + "categories and booleans only")
            }
            let width = feature.outputNames.count
            if width == 0 {
                blocks.remove(at: b)
                continue
            }
            let encoded = g.node("OneHotEncoder", [codes], domain: "ai.onnx.ml", [
                ONNXGraphBuilder.attribute("cats_int64s", ints: (0..<Int64(width)).map { $0 }),
                ONNXGraphBuilder.attribute("zeros", int: 1),
            ])
            let flat = g.node("Reshape", [encoded, g.constant("shape", int64s: [-1, Int64(width)], shape: [2])])
            let asDouble = g.node("Cast", [flat], [ONNXGraphBuilder.attribute("to", int: 11)])
            blocks[b] = Block(names: feature.outputNames, value: asDouble, kind: .number)
        }
    }

    // MARK: MLP

    /// The ONNX graph of an MLP with its input encoding.
    ///
    /// - Throws: `UsageError` for a network whose parameters do not fit its
    ///   architecture, or a feature name that is also an output name.
    public static func mlp(_ model: MLPModel, layout: ONNXOutputLayout = .tensors) throws -> ONNXModel {
        var g = ONNXGraphBuilder(name: "pareto_mlp")
        let head = try mlpHead(model, &g)
        try finish(&g, head, labels: model.classLabels, layout: layout)
        return ONNXModel(proto: g.model(docString: "Pareto MLP for \"\(model.target)\" (\(model.task.rawValue))"),
                         inputs: g.inputs, outputs: g.outputs)
    }

    /// The network's nodes in `g`, up to its predictions.
    static func mlpHead(_ model: MLPModel, _ g: inout ONNXGraphBuilder) throws -> ONNXHead {
        let network = model.network
        var numeric: [String] = []
        var embedded: [String] = []
        var offset = 0  // embeddings come first in the parameter vector
        let parameters = network.parameters
        func take(_ count: Int) throws -> [Float] {
            guard offset + count <= parameters.count else {
                throw UsageError("the network has \(parameters.count) parameters, fewer than its layers need",
                                 hint: "the model file is inconsistent: train it again")
            }
            defer { offset += count }
            return Array(parameters[offset..<(offset + count)])
        }
        for feature in model.encoding.features {
            switch feature {
            case .numeric(let name, _, let mean, let scale, let indicator):
                try g.input(ONNXTensorInfo(name: name, elementType: .double, shape: [nil], example: .number(mean)))
                let x = g.column(name)
                let missing = g.node("IsNaN", [x])
                let meanValue = g.constant("mean", doubles: [mean], shape: [1])
                let filled = g.node("Where", [missing, meanValue, x])
                let z = g.node("Div", [g.node("Sub", [filled, meanValue]), g.constant("scale", doubles: [scale], shape: [1])])
                numeric.append(g.node("Cast", [z], [ONNXGraphBuilder.attribute("to", int: 1)]))
                if indicator { numeric.append(g.node("Cast", [missing], [ONNXGraphBuilder.attribute("to", int: 1)])) }
            case .categorical(let name, let levels, let dimension):
                try g.input(ONNXTensorInfo(name: name, elementType: .string, shape: [nil],
                                           example: .string(levels.first ?? "")))
                let codes = g.node("LabelEncoder", [name], domain: "ai.onnx.ml", [
                    ONNXGraphBuilder.attribute("keys_strings", strings: levels),
                    ONNXGraphBuilder.attribute("values_int64s", ints: levels.indices.map { Int64($0 + 1) }),
                    ONNXGraphBuilder.attribute("default_int64", int: 0),
                ])
                let cardinality = levels.count + 1
                let table = g.constant("embedding", floats: try take(cardinality * dimension), shape: [cardinality, dimension])
                embedded.append(g.node("Gather", [table, codes], [ONNXGraphBuilder.attribute("axis", int: 0)]))
            }
        }
        let parts = numeric + embedded
        var x = parts.count == 1 ? parts[0] : g.node("Concat", parts, [ONNXGraphBuilder.attribute("axis", int: 1)])
        var width = network.architecture.inputWidth
        var stateOffset = 0
        func layers(_ list: [Layer], _ input: String, _ g: inout ONNXGraphBuilder) throws -> String {
            var x = input
            for layer in list {
                switch layer {
                case .dense(let outputs):
                    let w = g.constant("weight", floats: try take(width * outputs), shape: [width, outputs])
                    let b = g.constant("bias", floats: try take(outputs), shape: [outputs])
                    x = g.node("Gemm", [x, w, b])
                    width = outputs
                case .relu: x = g.node("Relu", [x])
                case .gelu: x = g.node("Gelu", [x])
                case .tanh: x = g.node("Tanh", [x])
                case .sigmoid: x = g.node("Sigmoid", [x])
                case .dropout: continue
                case .layerNorm:
                    let gamma = g.constant("gamma", floats: try take(width), shape: [width])
                    let beta = g.constant("beta", floats: try take(width), shape: [width])
                    x = g.node("LayerNormalization", [x, gamma, beta], [
                        ONNXGraphBuilder.attribute("axis", int: -1),
                        ONNXGraphBuilder.attribute("epsilon", float: 1e-5),
                    ])
                case .batchNorm:
                    let gamma = g.constant("gamma", floats: try take(width), shape: [width])
                    let beta = g.constant("beta", floats: try take(width), shape: [width])
                    guard stateOffset + 2 * width <= network.state.count else {
                        throw UsageError("the network's batch-norm statistics are shorter than its layers need",
                                         hint: "the model file is inconsistent: train it again")
                    }
                    let mean = g.constant("running_mean", floats: Array(network.state[stateOffset..<(stateOffset + width)]),
                                          shape: [width])
                    let variance = g.constant("running_variance",
                                              floats: Array(network.state[(stateOffset + width)..<(stateOffset + 2 * width)]),
                                              shape: [width])
                    stateOffset += 2 * width
                    x = g.node("BatchNormalization", [x, gamma, beta, mean, variance],
                               [ONNXGraphBuilder.attribute("epsilon", float: 1e-5)])
                case .residual(let body):
                    let inner = try layers(body, x, &g)
                    x = g.node("Add", [x, inner])
                }
            }
            return x
        }
        x = try layers(network.architecture.layers, x, &g)
        guard offset == parameters.count else {
            throw UsageError("the network has \(parameters.count) parameters but its layers use \(offset)",
                             hint: "the model file is inconsistent: train it again")
        }
        let z = g.node("Cast", [x], [ONNXGraphBuilder.attribute("to", int: 11)])
        switch model.task {
        case .regression:
            return .value(g.node("Add", [g.node("Mul", [z, g.constant("target_scale", doubles: [model.targetScale], shape: [1])]),
                                         g.constant("target_mean", doubles: [model.targetMean], shape: [1])]))
        case .binary:
            return .positive(g.node("Sigmoid", [z]))
        case .multiclass:
            return .probabilities(g.node("Softmax", [z], [ONNXGraphBuilder.attribute("axis", int: 1)]))
        }
    }

    // MARK: Shared parts

    private static func checkNumericKind(_ kind: ColumnKind, _ name: String) throws {
        if kind == .text || kind == .categorical {
            throw UsageError("column \"\(name)\" is \(kind.rawValue) but was binned as numeric",
                             hint: "the model file is inconsistent: train it again")
        }
    }

    /// A value inside the training range of a numeric feature: the middle bound.
    private static func exampleNumber(_ bounds: [Double]) -> Double {
        let finite = bounds.filter(\.isFinite)
        return finite.isEmpty ? 0 : finite[finite.count / 2]
    }

    /// Outputs a model's predictions: the value, or the label (the most
    /// probable class, or class 1 when P(class 1) ≥ `threshold`) and the
    /// probabilities.
    static func finish(_ g: inout ONNXGraphBuilder, _ head: ONNXHead, labels: [String], layout: ONNXOutputLayout,
                       threshold: Double? = nil) throws {
        switch head {
        case .value(let value):
            try finishRegression(&g, value: value, layout: layout)
        case .positive, .probabilities:
            let p = head.probabilities(&g)
            var label: String? = nil
            if let threshold, labels.count == 2 {
                let positive = head.positive(&g)
                let decided = g.node("GreaterOrEqual", [positive, g.constant("threshold", doubles: [threshold], shape: [1])])
                let index = g.node("Cast", [g.vector(decided)], [ONNXGraphBuilder.attribute("to", int: 7)])
                label = g.node("Gather", [g.constant("class_labels", strings: labels, shape: [2]), index],
                               [ONNXGraphBuilder.attribute("axis", int: 0)])
            }
            try finishClassifier(&g, probabilities: p, labels: labels, layout: layout, label: label)
        }
    }

    /// Outputs a regression's [N, 1] double `value`.
    private static func finishRegression(_ g: inout ONNXGraphBuilder, value: String, layout: ONNXOutputLayout) throws {
        try g.output(g.vector(value), as: ONNXTensorInfo(name: layout == .tensors ? "value" : "prediction",
                                                         elementType: .double, shape: [nil]))
    }

    /// Outputs the label (the first most probable class, as Pareto picks it)
    /// and the probabilities, [N, classes] doubles.
    private static func finishClassifier(_ g: inout ONNXGraphBuilder, probabilities: String, labels: [String],
                                         layout: ONNXOutputLayout, label decided: String? = nil) throws {
        let label: String
        if let decided {
            label = decided
        } else {
            let best = g.node("ArgMax", [probabilities], [
                ONNXGraphBuilder.attribute("axis", int: 1),
                ONNXGraphBuilder.attribute("keepdims", int: 0),
            ])
            label = g.node("Gather", [g.constant("class_labels", strings: labels, shape: [labels.count]), best],
                           [ONNXGraphBuilder.attribute("axis", int: 0)])
        }
        switch layout {
        case .tensors:
            try g.output(label, as: ONNXTensorInfo(name: "label", elementType: .string, shape: [nil]))
            try g.output(probabilities, as: ONNXTensorInfo(name: "probabilities", elementType: .double,
                                                           shape: [nil, labels.count]))
        case .columns:
            try g.output(label, as: ONNXTensorInfo(name: "prediction", elementType: .string, shape: [nil]))
            for (c, column) in g.split(probabilities, count: labels.count).enumerated() {
                try g.output(g.vector(column), as: ONNXTensorInfo(name: "p_" + labels[c], elementType: .double,
                                                                  shape: [nil]))
            }
        }
    }
}

/// The attributes of one ai.onnx.ml `TreeEnsemble` (opset 5) node holding
/// every tree with at least one split; single-leaf trees are folded into
/// the constants.
struct TreeEnsembleAttributes {
    var attributes: [Onnx_AttributeProto] = []
    var hasNodes = false

    /// ONNX's node modes.
    static let branchLEQ: UInt8 = 0, branchLT: UInt8 = 1, branchMember: UInt8 = 6

    init(_ trees: [DecisionTree], outputCount k: Int, constants: inout [Double]) throws {
        var roots: [Int64] = []
        var featureIDs: [Int64] = [], modes: [UInt8] = [], splits: [Double] = []
        var trueIDs: [Int64] = [], trueLeafs: [Int64] = [], falseIDs: [Int64] = [], falseLeafs: [Int64] = []
        var missingTrue: [Int64] = [], members: [Double] = []
        var leafTargets: [Int64] = [], leafWeights: [Double] = []
        for (t, tree) in trees.enumerated() {
            let output = t % k
            guard !tree.splitFeature.isEmpty else {
                constants[output] += tree.leafValue[0]
                continue
            }
            let nodeBase = Int64(featureIDs.count), leafBase = Int64(leafWeights.count)
            roots.append(nodeBase)
            for i in tree.splitFeature.indices {
                featureIDs.append(Int64(tree.splitFeature[i]))
                // Left is ONNX's "true" branch: both are where a passing comparison goes.
                let left = tree.leftChild[i], right = tree.rightChild[i]
                trueIDs.append(left < 0 ? leafBase + Int64(~left) : nodeBase + Int64(left))
                trueLeafs.append(left < 0 ? 1 : 0)
                falseIDs.append(right < 0 ? leafBase + Int64(~right) : nodeBase + Int64(right))
                falseLeafs.append(right < 0 ? 1 : 0)
                if tree.categoryStart[i] >= 0 {
                    var set: [Double] = []
                    let start = Int(tree.categoryStart[i])
                    for w in 0..<Int(tree.categoryWordCount[i]) {
                        let word = tree.categoryWords[start + w]
                        for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 && w * 64 + bit > 0 {
                            set.append(Double(w * 64 + bit))
                        }
                    }
                    if set.isEmpty {
                        // No bin goes left: a comparison no bin (≥ 0) passes.
                        modes.append(Self.branchLT)
                        splits.append(0)
                    } else {
                        if modes.contains(Self.branchMember) { members.append(.nan) }
                        members.append(contentsOf: set)
                        modes.append(Self.branchMember)
                        splits.append(0)
                    }
                    missingTrue.append(0)
                } else {
                    modes.append(Self.branchLEQ)
                    splits.append(tree.threshold[i])
                    missingTrue.append(tree.defaultLeft[i] ? 1 : 0)
                }
            }
            for value in tree.leafValue {
                leafTargets.append(Int64(output))
                leafWeights.append(value)
            }
        }
        guard featureIDs.count < Int(Int32.max), leafWeights.count < Int(Int32.max) else {
            throw UsageError("the ensemble has \(featureIDs.count) split nodes, more than ONNX runtimes index",
                             hint: "trim the model (pareto compress --trim-trees) before exporting")
        }
        hasNodes = !roots.isEmpty
        typealias A = ONNXGraphBuilder
        attributes = [
            A.attribute("aggregate_function", int: 1),  // SUM
            A.attribute("post_transform", int: 0),  // NONE: Pareto's link is applied after the initial scores
            A.attribute("n_targets", int: Int64(k)),
            A.attribute("tree_roots", ints: roots),
            A.attribute("nodes_featureids", ints: featureIDs),
            A.attribute("nodes_modes", tensor: A.tensor(uint8s: modes, shape: [modes.count])),
            A.attribute("nodes_splits", tensor: A.tensor(doubles: splits, shape: [splits.count])),
            A.attribute("nodes_truenodeids", ints: trueIDs),
            A.attribute("nodes_trueleafs", ints: trueLeafs),
            A.attribute("nodes_falsenodeids", ints: falseIDs),
            A.attribute("nodes_falseleafs", ints: falseLeafs),
            A.attribute("nodes_missing_value_tracks_true", ints: missingTrue),
            A.attribute("leaf_targetids", ints: leafTargets),
            A.attribute("leaf_weights", tensor: A.tensor(doubles: leafWeights, shape: [leafWeights.count])),
        ]
        if !members.isEmpty {
            attributes.append(A.attribute("membership_values", tensor: A.tensor(doubles: members, shape: [members.count])))
        }
    }
}

/// A model's predictions inside a graph being built, before the outputs.
enum ONNXHead {
    /// Regression: [N, 1] doubles.
    case value(String)
    /// Binary: P(class 1), [N, 1] doubles.
    case positive(String)
    /// Classes: [N, classes] doubles, in class-label order.
    case probabilities(String)

    /// [N, classes] probabilities (binary: 1 − p and p).
    func probabilities(_ g: inout ONNXGraphBuilder) -> String {
        switch self {
        case .value(let v), .probabilities(let v): return v
        case .positive(let p):
            let negative = g.node("Sub", [g.constant("one", doubles: [1], shape: [1]), p])
            return g.node("Concat", [negative, p], [ONNXGraphBuilder.attribute("axis", int: 1)])
        }
    }

    /// P(class 1), [N, 1] (the second column of two-class probabilities).
    func positive(_ g: inout ONNXGraphBuilder) -> String {
        switch self {
        case .value(let v), .positive(let v): return v
        case .probabilities(let p): return g.split(p, count: 2)[1]
        }
    }
}
