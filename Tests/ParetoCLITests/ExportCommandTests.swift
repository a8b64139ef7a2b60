import Foundation
import Testing

@Suite("pareto export")
struct ExportCommandTests {
    let cli = DescribeCommandTests()

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ParetoDeployTests/Fixtures/onnx/\(name)").path
    }

    func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)-\(name)").path
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("every family exports to ONNX with its operators; mlflow writes a model directory")
    func families() throws {
        let cases: [(arguments: [String], file: String, target: String, operators: [String], outputs: String)] = [
            (["--model", "gbdt", "--trees", "5"], "binary.csv", "income", ["TreeEnsemble", "LabelEncoder", "Sigmoid"],
             "label, probabilities"),
            (["--model", "logistic"], "multiclass.csv", "lettr", ["LinearClassifier", "Div"], "label, probabilities"),
            (["--model", "linear"], "regression.csv", "median_house_value",
             ["MatMul", "Where", "OneHotEncoder"], "value"),
            (["--model", "mlp", "--hidden", "4", "--epochs", "1"], "binary.csv", "income", ["Gemm", "Relu", "Gather"],
             "label, probabilities"),
        ]
        for c in cases {
            let model = scratch("model")
            let train = try cli.run(["train", Self.fixture(c.file), "--target", c.target, "--out", model] + c.arguments)
            #expect(train.status == 0, "\(train.stderr)")
            let onnx = scratch("model.onnx")
            let export = try cli.run(["export", model, "--format", "onnx", "--out", onnx])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stdout.contains("→ \(c.outputs)\n"), "\(export.stdout)")
            let written = try bytes(onnx)
            for op in c.operators + ["ai.onnx.ml"] {
                #expect(written.range(of: Data(op.utf8)) != nil, "\(c.arguments): no \(op) in the file")
            }
            let directory = scratch("mlflow")
            let mlflow = try cli.run(["export", model, "--format", "mlflow", "--out", directory])
            #expect(mlflow.status == 0, "\(mlflow.stderr)")
            let mlmodel = try String(contentsOfFile: directory + "/MLmodel", encoding: .utf8)
            #expect(mlmodel.contains("loader_module: mlflow.onnx"))
            #expect(FileManager.default.fileExists(atPath: directory + "/model.onnx"))
        }
    }

    @Test("--input tensor: numeric tree models get one input X; other models and categorical columns are refused")
    func tensorInput() throws {
        let model = scratch("model")
        let train = try cli.run(["train", Self.fixture("multiclass.csv"), "--target", "lettr", "--trees", "3", "--out", model])
        #expect(train.status == 0, "\(train.stderr)")
        let onnx = scratch("tensor.onnx")
        let export = try cli.run(["export", model, "--input", "tensor", "--out", onnx])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("one input tensor X of 16 columns → label, probabilities"), "\(export.stdout)")
        let mlflow = try cli.run(["export", model, "--input", "tensor", "--format", "mlflow", "--out", scratch("m")])
        #expect(mlflow.status == 1 && mlflow.stderr.contains("--input tensor is for --format onnx"), "\(mlflow.stderr)")
        let odd = try cli.run(["export", model, "--input", "rows", "--out", scratch("x.onnx")])
        #expect(odd.status == 1 && odd.stderr.contains("--input takes columns or tensor"), "\(odd.stderr)")

        let categorical = scratch("categorical")
        #expect(try cli.run(["train", Self.fixture("binary.csv"), "--target", "income", "--trees", "3",
                             "--out", categorical]).status == 0)
        let refused = try cli.run(["export", categorical, "--input", "tensor", "--out", scratch("y.onnx")])
        #expect(refused.status == 1 && refused.stderr.contains("is categorical"), "\(refused.stderr)")
        let linear = scratch("linear")
        #expect(try cli.run(["train", Self.fixture("multiclass.csv"), "--target", "lettr", "--model", "logistic",
                             "--out", linear]).status == 0)
        let notTrees = try cli.run(["export", linear, "--input", "tensor", "--out", scratch("z.onnx")])
        #expect(notTrees.status == 1 && notTrees.stderr.contains("--input tensor is for tree models"), "\(notTrees.stderr)")
    }

    @Test("a bad format and an existing MLflow directory are refused with a clear message")
    func refusals() throws {
        let model = scratch("model")
        let train = try cli.run(["train", Self.fixture("regression.csv"), "--target", "median_house_value",
                                 "--trees", "3", "--out", model])
        #expect(train.status == 0, "\(train.stderr)")
        let bad = try cli.run(["export", model, "--format", "pmml", "--out", scratch("x")])
        #expect(bad.status == 1 && bad.stderr.contains("--format takes onnx or mlflow"), "\(bad.stderr)")
        let existing = FileManager.default.temporaryDirectory.path
        let taken = try cli.run(["export", model, "--format", "mlflow", "--out", existing])
        #expect(taken.status == 1 && taken.stderr.contains("already exists"), "\(taken.stderr)")
        let missing = try cli.run(["export", scratch("absent"), "--out", scratch("y.onnx")])
        #expect(missing.status == 1 && missing.stderr.contains("no such file"), "\(missing.stderr)")
    }
}
