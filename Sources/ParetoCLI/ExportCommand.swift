import ArgumentParser
import Pareto

/// `pareto export MODEL --format onnx|mlflow --out PATH`: a saved model as
/// an ONNX file or an MLflow model directory, for serving outside Pareto.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model to ONNX (a .onnx file) or MLflow (a model directory).",
        discussion: """
            Inputs: one tensor per raw feature column, named as the column: doubles for numeric, \
            boolean (0/1) and date-time (microseconds) columns, NaN for missing; strings for \
            categorical columns, the empty string for missing. Outputs (onnx): `label` and \
            `probabilities` (doubles, class-label order) for classifiers, `value` for regressors. \
            The MLflow directory serves the columns of `pareto predict` (`prediction`, `p_<label>`) \
            through `mlflow.pyfunc.load_model(DIR).predict(df)`. Trees, linear/logistic models \
            and MLPs are supported; see docs/ARCHITECTURE.md ("ONNX and MLflow export"). \
            `--input tensor` (onnx, tree models with numeric features): one [N, features] double \
            input named X instead, columns in the training file's order, so that onnxruntime \
            binds one input per call rather than one per column.
            """)

    @Argument(help: "The model file (from pareto train or import-lightgbm).") var model: String
    @Option(help: "onnx or mlflow.") var format: String = "onnx"
    @Option(help: "Where to write: a .onnx file (onnx) or a new directory (mlflow).") var out: String
    @Option(help: "onnx inputs: columns (one per feature column) or tensor (one [N, features] input X; numeric tree models).")
    var input: String = "columns"

    func run() throws {
        try ParetoCommand.reportingErrors { print(try export(), terminator: "") }
    }

    func export() throws -> String {
        guard format == "onnx" || format == "mlflow" else {
            throw UsageError("--format takes onnx or mlflow, not \"\(format)\"")
        }
        guard let inputs = ONNXInputLayout(rawValue: input) else {
            throw UsageError("--input takes columns or tensor, not \"\(input)\"")
        }
        let layout: ONNXOutputLayout = format == "onnx" ? .tensors : .columns
        let saved = try loadSavedModel(model)
        let onnx: ONNXModel
        if inputs == .tensor {
            guard format == "onnx" else {
                throw UsageError("--input tensor is for --format onnx", hint: "MLflow serves DataFrames: one input per column")
            }
            guard let trees = saved as? TabularTreeModel else {
                throw UsageError("--input tensor is for tree models (pareto train --model gbdt|rf, import-lightgbm)",
                                 hint: "export this model with one input per column (the default)")
            }
            onnx = try ONNXExport.trees(trees, layout: layout, inputs: .tensor)
        } else {
            onnx = try exportedModel(saved, layout: layout)
        }
        if format == "onnx" {
            try onnx.write(to: out)
        } else {
            try MLflowExport.write(onnx, to: out)
        }
        let count = onnx.inputs.count, outputs = onnx.outputs.map(\.name).joined(separator: ", ")
        let nodes = onnx.proto.graph.node.count
        let described = inputs == .tensor ? "one input tensor X of \(onnx.inputs[0].shape.last.flatMap { $0 } ?? 0) columns"
            : "\(count) input column\(count == 1 ? "" : "s")"
        return "exported \(nodes) ONNX nodes: \(described) → \(outputs)\n"
            + "\(format == "onnx" ? "model" : "MLflow model") written to \(out)\n"
    }
}

/// The ONNX graph of any saved model.
///
/// - Throws: `UsageError` for a model family or step export does not support.
func exportedModel(_ saved: any SavedModel, layout: ONNXOutputLayout) throws -> ONNXModel {
    switch saved {
    case let trees as TabularTreeModel:
        return try ONNXExport.trees(trees, layout: layout)
    case let linear as LinearTrainedModel:
        return try ONNXExport.linear(featureNames: linear.featureNames, featureKinds: linear.featureKinds,
                                     pipeline: linear.pipeline, model: linear.model, target: linear.target,
                                     layout: layout)
    case let mlp as MLPModel:
        return try ONNXExport.mlp(mlp, layout: layout)
    case let bundle as ModelBundle:
        return try exportedBundle(bundle, layout: layout)
    default:
        throw UsageError("this kind of model cannot be exported yet", hint: "export trees, linear, logistic or MLP models")
    }
}

/// The ONNX graph of an optimize bundle: its model (or blend), calibration
/// and threshold, as `pareto predict` applies them.
func exportedBundle(_ bundle: ModelBundle, layout: ONNXOutputLayout) throws -> ONNXModel {
    try ONNXExport.bundle(bundle, layout: layout)
}
