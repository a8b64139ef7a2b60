import ArgumentParser
import Pareto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `pareto import-lightgbm model.txt --out MODEL`: a LightGBM model as a
/// Pareto model file, for `predict`, `evaluate` and `importance`.
struct ImportLightGBMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-lightgbm",
        abstract: "Convert a LightGBM text model (save_model) into a Pareto model file.",
        discussion: """
            Numeric and categorical splits, every missing-value rule LightGBM writes, and the \
            binary, regression, L1, Huber, quantile, Poisson and multiclass objectives are \
            supported; the result predicts LightGBM's scores (checked to 1e-12 in the tests). \
            Categorical features must hold LightGBM's integer category codes; when predicting, \
            read them as categories (the model records the column kinds).
            """)

    @Argument(help: "The LightGBM model file (text format).") var model: String
    @Option(help: "The target column's name, for evaluate (LightGBM's file does not record it).") var target = "label"
    @Option(name: .customLong("class-labels"), help: "Comma-separated class names in LightGBM's class order (default 0, 1, …).")
    var classLabels: String?
    @Option(help: "Where to write the Pareto model.") var out: String

    func run() throws {
        try ParetoCommand.reportingErrors { print(try convert(), terminator: "") }
    }

    func convert() throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: model))
        } catch {
            throw FileError(path: model, "cannot read the file", hint: "check the path")
        }
        let imported = try LightGBMModel(text: String(decoding: data, as: UTF8.self), path: model)
        let labels = classLabels.map { $0.split(separator: ",").map(String.init) }
        let tabular = try imported.tabularModel(target: target, classLabels: labels)
        try tabular.save(to: out)
        let categorical = zip(tabular.model.featureNames, imported.featureKinds).filter { $0.1 == .categorical }.map(\.0)
        return "imported \(tabular.model.rounds) rounds × \(tabular.model.outputCount) tree(s) (\(tabular.task.rawValue)) "
            + "over \(tabular.model.featureNames.count) features"
            + (categorical.isEmpty ? "" : "; categorical: \(categorical.joined(separator: ", "))") + "\n"
            + "model written to \(out)\n"
    }
}
