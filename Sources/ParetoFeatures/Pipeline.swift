import ParetoCore
import ParetoData

/// Transformers applied in order, each to the columns its selection picks:
/// a feature pipeline that is fitted on training rows only.
///
/// ```swift
/// let pipeline = Pipeline([
///     .init(.numeric, SimpleImputer(strategy: .median)),
///     .init(.numeric, StandardScaler()),
///     .init(.categorical, OneHotEncoder()),
/// ])
/// let (fitted, train) = try pipeline.fitTransform(trainRows, target: "churn")
/// let test = try fitted.transform(testRows)
/// ```
///
/// Rules: each step's selection is resolved against the rows as the
/// previous steps left them (so a selection `.numeric` after a one-hot
/// encoder sees the new indicator columns). The target column passes
/// through untouched. Inside cross-validation, wrap the learner in a
/// `PipelineLearner`: every fold then fits the pipeline on its own
/// training rows.
public struct Pipeline: Sendable, Codable {
    /// One step: which columns, and what to do with them.
    public struct Step: Sendable, Codable {
        /// The columns the step transforms.
        public var columns: ColumnSelection
        /// The transformer.
        public var transformer: AnyTransformer

        /// A step applying `transformer` to `columns`.
        public init(_ columns: ColumnSelection, _ transformer: any Transformer) {
            self.columns = columns
            self.transformer = AnyTransformer(transformer)
        }
    }

    /// The steps, in order.
    public var steps: [Step]

    /// A pipeline of `steps`.
    public init(_ steps: [Step]) { self.steps = steps }

    /// Fits every step in turn on `frame` (each on the previous step's
    /// output) and returns the fitted pipeline with the transformed rows.
    ///
    /// - Throws: the steps' errors, prefixed with the step's position and kind.
    public func fitTransform(_ frame: DataFrame, target: String?) throws -> (FittedPipeline, DataFrame) {
        var current = frame
        var fitted: [FittedPipeline.Step] = []
        for (i, step) in steps.enumerated() {
            do {
                let columns = try step.columns.resolve(in: current, target: target)
                let (transform, output) = try step.transformer.fitTransform(current, columns: columns, target: target)
                fitted.append(FittedPipeline.Step(columns: columns, transform: transform))
                current = output
            } catch let error as any ParetoError {
                throw UsageError("pipeline step \(i + 1) (\(type(of: step.transformer.base).kind)): \(error.message)",
                                 hint: error.hint)
            }
        }
        return (FittedPipeline(steps: fitted, inputColumns: frame.columnNames.filter { $0 != target }), current)
    }

    /// Fits the pipeline on `frame` (see `fitTransform`).
    public func fit(_ frame: DataFrame, target: String?) throws -> FittedPipeline {
        try fitTransform(frame, target: target).0
    }
}

/// A fitted pipeline: immutable, Codable, safe to use from many threads.
public struct FittedPipeline: Sendable, Codable {
    /// One fitted step and the columns it was fitted on.
    public struct Step: Sendable, Codable {
        /// The columns the step transforms.
        public var columns: [String]
        /// The fitted transform.
        public var transform: AnyFittedTransformer
    }

    /// The fitted steps, in order.
    public var steps: [Step]
    /// The feature columns the pipeline was fitted on (the target excluded).
    public var inputColumns: [String]

    /// Applies every fitted step in turn.
    ///
    /// - Throws: `UsageError` naming the step and the column a frame lacks
    ///   or holds with another kind.
    public func transform(_ frame: DataFrame) throws -> DataFrame {
        var current = frame
        for (i, step) in steps.enumerated() {
            do {
                current = try step.transform.base.transform(current)
            } catch let error as any ParetoError {
                throw UsageError("pipeline step \(i + 1) (\(step.transform.kind)): \(error.message)", hint: error.hint)
            }
        }
        return current
    }
}

/// A learner that fits a feature pipeline on its training rows, then the
/// base learner on the transformed rows; its model transforms new rows
/// with the fitted pipeline before predicting. Cross-validating it fits the
/// pipeline inside every fold, so no fold's validation rows shape its
/// features.
public struct PipelineLearner<Base: TabularLearner>: TabularLearner {
    /// The feature pipeline.
    public var pipeline: Pipeline
    /// The learner fitted on the transformed rows.
    public var base: Base

    /// Creates the combination.
    public init(pipeline: Pipeline, base: Base) {
        self.pipeline = pipeline
        self.base = base
    }

    /// The base learner's threads.
    public var threads: Int? {
        get { base.threads }
        set { base.threads = newValue }
    }

    /// The fitted pipeline with the base learner's model.
    public struct Model: TabularModel {
        /// The fitted pipeline.
        public var pipeline: FittedPipeline
        /// The base model.
        public var base: Base.Fitted
        /// The base model's task.
        public var task: TaskKind { base.task }

        /// A model from a fitted pipeline and a base model fitted on its
        /// output (for example coefficients solved elsewhere, as a
        /// distilled linear student's are).
        public init(pipeline: FittedPipeline, base: Base.Fitted) {
            self.pipeline = pipeline
            self.base = base
        }

        /// Transforms `frame`, then predicts.
        public func predict(_ frame: DataFrame, threads: Int?) throws -> Predictions {
            try base.predict(try pipeline.transform(frame), threads: threads)
        }
    }

    /// Fits the pipeline on `frame`, then the base learner on its output
    /// (validation rows are transformed by the fitted pipeline).
    public func fit(_ frame: DataFrame, target: String, validation: DataFrame?,
                    observer: (any TrainingObserver)?) throws -> Model {
        let (fitted, transformed) = try pipeline.fitTransform(frame, target: target)
        let model = try base.fit(transformed, target: target, validation: try validation.map { try fitted.transform($0) },
                                 observer: observer)
        return Model(pipeline: fitted, base: model)
    }
}

extension Pipeline {
    /// The preprocessing linear models and networks want from a raw table:
    /// date-times split into numeric parts, numbers imputed with the
    /// training mean (plus a `<column>_missing` 0/1 indicator for columns
    /// that had gaps) and standardized, categories and booleans one-hot
    /// encoded (missing as its own category; categories with fewer than
    /// `minCategoryCount` training rows share one `(infrequent)` column,
    /// which unseen categories join too).
    ///
    /// With `dropFirstCategory` the first column of every one-hot group is
    /// dropped (its rows are all zeros), which an unpenalized least-squares
    /// fit with an intercept needs: a complete group sums to the
    /// intercept's column of ones. Penalized fits keep every column, so no
    /// category is singled out as the baseline.
    ///
    /// Text columns are not handled: drop them first. This is what
    /// `pareto train --model linear|logistic` uses.
    public static func linearPreprocessing(minCategoryCount: Int = 5, dropFirstCategory: Bool = false) -> Pipeline {
        Pipeline([
            .init(.datetime, DateParts()),
            .init(.numeric, SimpleImputer(strategy: .mean, indicators: .missingInTraining, indicatorValues: .number)),
            .init(.numeric, StandardScaler()),
            .init(.categorical, OneHotEncoder(minFrequency: .count(minCategoryCount), unknown: .infrequent,
                                              drop: dropFirstCategory ? .first : nil)),
            .init(.boolean, OneHotEncoder(unknown: .ignore, drop: dropFirstCategory ? .first : .ifBinary)),
        ])
    }
}
