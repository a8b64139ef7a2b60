import ParetoCore
import ParetoData

/// Removes the selected columns (an identifier, a leaked column).
///
/// Cost: none beyond building the new frame (columns are shared, not copied).
public struct DropColumns: Transformer, Equatable {
    /// Saved as "drop_columns".
    public static let kind = "drop_columns"

    /// Creates the transformer.
    public init() {}

    /// The columns to drop.
    public struct Fitted: FittedTransformer, Equatable {
        /// The dropped columns.
        public var columns: [String]

        /// `frame` without the dropped columns (those it lacks are ignored).
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            try frame.dropping(columns.filter { frame[$0] != nil })
        }
    }

    /// Remembers `columns`; nothing is learned from the rows.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        Fitted(columns: columns)
    }
}
