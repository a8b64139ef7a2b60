import ParetoCore
import ParetoData

/// A pipeline step that resamples the training rows (SMOTE, random over- or
/// under-sampling…) and leaves every other row alone: its fitted transform
/// is the identity.
///
/// ```swift
/// let learner = PipelineLearner(
///     pipeline: Pipeline([.init(.all, Resample(SMOTE(seed: 1)))]),
///     base: GradientBoosting(objective: .binary))
/// let report = try CrossValidation(metrics: [ROCAUC()]).run(learner, on: frame, target: "y")
/// ```
///
/// Inside cross-validation (through `PipelineLearner`) each fold resamples
/// its own training rows; validation rows, and rows the fitted pipeline
/// transforms later, are never resampled, so scores stay honest.
///
/// Rules: rows are resampled whole, with every feature column the step
/// sees (the step's column selection is not used); place it after the
/// encoders a sampler needs (SMOTE needs numbers). Fitting needs the
/// target. Cost: the sampler's.
public struct Resample: Transformer {
    /// The name this type is saved under ("resample").
    public static let kind = "resample"
    /// The sampler run on the training rows.
    public var sampler: AnySampler

    /// A step running `sampler` on the training rows.
    public init(_ sampler: any Sampler) { self.sampler = AnySampler(sampler) }

    /// What the step did to the training rows; transforms nothing.
    public struct Fitted: FittedTransformer, Equatable {
        /// Training rows before resampling.
        public var rowsBefore: Int
        /// Training rows after resampling.
        public var rowsAfter: Int

        /// `frame`, unchanged: resampling is for training rows only.
        public func transform(_ frame: DataFrame) throws -> DataFrame { frame }
    }

    /// Resamples `frame` to learn the row counts (use `fitTransform` for the rows).
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        try fitTransform(frame, columns: columns, target: target).0
    }

    /// The resampled training rows, with the counts before and after.
    ///
    /// - Throws: `UsageError` without a target, and the sampler's errors.
    public func fitTransform(_ frame: DataFrame, columns: [String], target: String?) throws -> (Fitted, DataFrame) {
        guard let target else {
            throw UsageError("resampling needs the target column", hint: "fit the pipeline with a target")
        }
        let out = try sampler.resample(frame, target: target)
        return (Fitted(rowsBefore: frame.rowCount, rowsAfter: out.rowCount), out)
    }
}
