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
            and MLPs are supported; see docs/ARCHITECTURE.md ("ONNX and MLflow export").
            """)

    @Argument(help: "The model file (from pareto train or import-lightgbm).") var model: String
    @Option(help: "onnx or mlflow.") var format: String = "onnx"
    @Option(help: "Where to write: a .onnx file (onnx) or a new directory (mlflow).") var out: String

    func run() throws {
        try ParetoCommand.reportingErrors { print(try export(), terminator: "") }
    }

    func export() throws -> String {
        guard format == "onnx" || format == "mlflow" else {
            throw UsageError("--format takes onnx or mlflow, not \"\(format)\"")
        }
        let layout: ONNXOutputLayout = format == "onnx" ? .tensors : .columns
        let onnx = try exportedModel(try loadSavedModel(model), layout: layout)
        if format == "onnx" {
            try onnx.write(to: out)
        } else {
            try MLflowExport.write(onnx, to: out)
        }
        let inputs = onnx.inputs.count, outputs = onnx.outputs.map(\.name).joined(separator: ", ")
        let nodes = onnx.proto.graph.node.count
        return "exported \(nodes) ONNX nodes: \(inputs) input column\(inputs == 1 ? "" : "s") → \(outputs)\n"
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
