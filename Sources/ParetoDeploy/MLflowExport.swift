import Foundation
import ParetoCore

/// Writes an exported ONNX model as an MLflow model directory, which
/// `mlflow.pyfunc.load_model(DIR).predict(df)` serves.
///
/// ```swift
/// let onnx = try ONNXExport.trees(model, layout: .columns)
/// try MLflowExport.write(onnx, to: "model-dir")
/// ```
///
/// The directory holds `MLmodel` (YAML: the `onnx` and `python_function`
/// flavors, the column signature and the input example's description),
/// `model.onnx`, `input_example.json` (one row, pandas "split" orient) and
/// `requirements.txt`.
///
/// Rules: the model should use `ONNXOutputLayout.columns` (MLflow's ONNX
/// flavor makes one DataFrame column per output, so each output must be
/// one-dimensional; a two-dimensional output is refused). The directory is
/// built beside `directory` under a temporary name, then renamed into
/// place: readers never see a half-written model. An existing `directory`
/// is refused, as MLflow's `save_model` does.
///
/// Cost: one write of the serialized model plus a few small text files.
public enum MLflowExport {
    /// Writes the MLflow model directory.
    ///
    /// - Throws: `UsageError` for an output that is not one-dimensional;
    ///   `FileError` when `directory` exists or cannot be written.
    public static func write(_ model: ONNXModel, to directory: String, createdAt: Date = Date()) throws {
        for output in model.outputs where output.shape.count != 1 {
            throw UsageError("the output \"\(output.name)\" has \(output.shape.count) dimensions; MLflow's ONNX flavor "
                             + "serves one-dimensional outputs only", hint: "export with the .columns output layout")
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) {
            throw FileError(path: directory, "the directory already exists",
                            hint: "remove it or choose another --out (MLflow does not overwrite models)")
        }
        let temporary = directory + ".tmp-\(getpid())"
        try? manager.removeItem(atPath: temporary)
        do {
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        } catch {
            throw FileError(path: directory, "cannot create the directory: \(error.localizedDescription)",
                            hint: "check that the parent folder exists and is writable")
        }
        do {
            try model.write(to: temporary + "/model.onnx")
            try writeFileAtomically(Array(mlmodel(model, createdAt: createdAt).utf8), to: temporary + "/MLmodel")
            try writeFileAtomically(Array(inputExample(model).utf8), to: temporary + "/input_example.json")
            try writeFileAtomically(Array("mlflow\nonnx\nonnxruntime\npandas\n".utf8), to: temporary + "/requirements.txt")
            guard rename(temporary, directory) == 0 else {
                throw FileError(path: directory, "cannot move the finished model into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw error
        }
    }

    /// The `MLmodel` file's text.
    static func mlmodel(_ model: ONNXModel, createdAt: Date) -> String {
        let inputs = JSONValue.array(model.inputs.map(columnSpec)).serialized()
        let outputs = JSONValue.array(model.outputs.map(columnSpec)).serialized()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return """
            flavors:
              onnx:
                code: null
                data: model.onnx
                onnx_version: 1.16.0
                providers:
                - CPUExecutionProvider
              python_function:
                data: model.onnx
                loader_module: mlflow.onnx
                python_version: 3.11.7
            saved_input_example_info:
              artifact_path: input_example.json
              pandas_orient: split
              serving_input_path: null
              type: dataframe
            signature:
              inputs: \(yamlQuoted(inputs))
              outputs: \(yamlQuoted(outputs))
              params: null
            utc_time_created: \(yamlQuoted(formatter.string(from: createdAt)))

            """
    }

    /// One row of typical inputs, pandas "split" orient.
    static func inputExample(_ model: ONNXModel) -> String {
        let columns = JSONValue.array(model.inputs.map { .string($0.name) }).serialized()
        let row = model.inputs.map { input -> String in
            switch input.example {
            case .string(let s): return JSONValue.string(s).serialized()
            // Written with a decimal point so that pandas reads a float column, as the signature says.
            case .number(let x) where x.isFinite: return "\(x)"
            case .number, .none: return input.elementType == .string ? "\"\"" : "0.0"
            }
        }
        return "{\"columns\": \(columns), \"data\": [[\(row.joined(separator: ", "))]]}\n"
    }

    private static func columnSpec(_ info: ONNXTensorInfo) -> JSONValue {
        .object([("type", .string(info.elementType.mlflowName)), ("name", .string(info.name)), ("required", .bool(true))])
    }

    /// A YAML single-quoted scalar (a quote inside is doubled).
    private static func yamlQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
