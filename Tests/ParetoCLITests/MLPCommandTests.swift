import Foundation
import Testing

/// `pareto train --model mlp` and `pareto predict` on its model, run as a user would.
@Suite("pareto train --model mlp")
struct MLPCommandTests {
    let cli = DescribeCommandTests()

    @Test("train an MLP on iris, predict with it, resume from its checkpoint")
    func irisRoundTrip() throws {
        let iris = TrainPredictCommandTests.iris
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlp-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let model = folder.appendingPathComponent("iris.model").path
        let arguments = ["train", iris, "--target", "target", "--model", "mlp", "--hidden", "32", "--epochs", "60",
                         "--batch", "16", "--lr", "0.01", "--schedule", "cosine", "--warmup", "5", "--threads", "1",
                         "--checkpoint", folder.path, "--profile", "--out", model]
        let train = try cli.run(arguments)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("(multiclass)"))
        #expect(train.stdout.contains("forward") && train.stdout.contains("backward"))
        let predict = try cli.run(["predict", model, iris])
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n")
        #expect(lines.first == "prediction,p_0,p_1,p_2")
        let correct = try TrainPredictCommandTests().correctIrisPredictions(predict.stdout)
        #expect(correct >= 140, "\(correct) of 150 on its training rows")

        // Resuming a finished run trains no more epochs and writes the same model, byte for byte.
        let again = folder.appendingPathComponent("again.model").path
        let resumed = try cli.run(Array(arguments.dropLast()) + [again, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }

    @Test("bad MLP flags exit 1 with a message")
    func errors() throws {
        let data = try cli.file("d.csv", "x,y\n1,a\n2,b\n3,a\n")
        let optimizer = try cli.run(["train", data, "--target", "y", "--model", "mlp", "--optimizer", "rmsprop",
                                     "--out", "/tmp/never.model"])
        #expect(optimizer.status == 1 && optimizer.stderr.contains("unknown --optimizer"))
        let hidden = try cli.run(["train", data, "--target", "y", "--model", "mlp", "--hidden", "32,x",
                                  "--out", "/tmp/never.model"])
        #expect(hidden.status == 1 && hidden.stderr.contains("--hidden"))
        let dropout = try cli.run(["train", data, "--target", "y", "--model", "mlp", "--dropout", "1.5",
                                   "--out", "/tmp/never.model"])
        #expect(dropout.status == 1 && dropout.stderr.contains("dropout"))
    }
}
