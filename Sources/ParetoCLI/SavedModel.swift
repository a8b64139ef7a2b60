import Pareto

/// What the commands that read a model file (`predict`, `evaluate`) need
/// from it, whatever the model family.
protocol SavedModel {
    /// The target column's name.
    var target: String { get }
    /// Binary, multiclass or regression.
    var task: TaskKind { get }
    /// Class labels by class index (classification only).
    var classLabels: [String] { get }
    /// The raw feature columns the model reads, and their kinds in training.
    var featureNames: [String] { get }
    var featureKinds: [ColumnKind] { get }
    /// Predictions for the rows of `frame`.
    func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions
    /// The decided label of each row (a bundle applies its threshold).
    func labels(_ predictions: Predictions) -> [String]
}

extension SavedModel {
    /// The most probable class, or the value as text.
    func labels(_ predictions: Predictions) -> [String] { predictions.labels }
}

extension ModelBundle: SavedModel {
    var featureNames: [String] { inputSchema.map(\.name) }
    var featureKinds: [ColumnKind] { inputSchema.map(\.kind) }
}

extension TabularTreeModel: SavedModel {
    var featureNames: [String] { model.featureNames }
}

extension LinearTrainedModel: SavedModel {
    var task: TaskKind { model.task }
    var classLabels: [String] { model.classLabels }
    func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions { try predict(frame) }
}

extension MLPModel: SavedModel {
    var featureNames: [String] { featureColumns.map(\.name) }
    var featureKinds: [ColumnKind] { featureColumns.map(\.kind) }
}

/// Loads the model at `path`, choosing the type from the file's header.
///
/// - Throws: `FileError` for a missing, foreign, truncated, corrupted or
///   newer file.
func loadSavedModel(_ path: String) throws -> any SavedModel {
    switch try ModelFile.kind(at: path) {
    case LinearTrainedModel.fileKind:
        return try ModelFile.read(LinearTrainedModel.self, kind: LinearTrainedModel.fileKind, from: path)
    case MLPModel.fileKind:
        return try MLPModel.load(from: path)
    case ModelBundle.fileKind:
        return try ModelBundle.read(from: path)
    case QuantizedTreeModel.fileKind:
        return try QuantizedTreeModel.load(from: path)
    case QuantizedMLP.fileKind:
        return try QuantizedMLP.load(from: path)
    default:
        return try TabularTreeModel.load(from: path)
    }
}

/// Reads `path` with the model's feature columns typed as they were in training.
func readLikeTraining(_ path: String, _ trained: any SavedModel, threads: Int?) throws -> DataFrame {
    try readLikeTraining(path, names: trained.featureNames, kinds: trained.featureKinds, threads: threads)
}

/// The `prediction` column (label or value) and, for classifiers, one
/// `p_<label>` column per class.
func predictionColumns(_ predictions: Predictions, _ trained: any SavedModel) throws -> DataFrame {
    if trained.task == .regression {
        return try DataFrame([.numeric("prediction", predictions.values.map { $0[0] })])
    }
    var columns: [Column] = [.categorical("prediction", trained.labels(predictions))]
    for (c, label) in trained.classLabels.enumerated() {
        columns.append(.numeric("p_\(label)", predictions.values.map { $0[c] }))
    }
    return try DataFrame(columns)
}

extension QuantizedTreeModel: SavedModel {}

extension QuantizedMLP: SavedModel {
    var featureNames: [String] { encoding.features.map(\.name) }
    var featureKinds: [ColumnKind] {
        encoding.features.map { feature in
            if case .numeric(_, let kind, _, _, _) = feature { return kind }
            return .categorical
        }
    }
}
