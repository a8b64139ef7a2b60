#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ParetoCore
import ParetoData

/// A data transformation with its settings (an imputer, a scaler, an
/// encoder…): a Codable value that learns what it needs from training rows
/// only and returns a separate fitted transform.
///
/// Rules every transformer keeps:
/// - `fit` reads only the rows it is given (a training fold), so nothing
///   about validation or test rows can leak into the fitted transform.
/// - It works on the columns it is handed (`columns`, resolved by a
///   `ColumnSelection` at fit time) and passes every other column through
///   unchanged, in place; the target column is never among `columns`.
/// - `fitTransform` returns the transformed training rows. By default that is
///   `fit` then `transform`; a supervised encoder whose own statistics would
///   leak the label into its training rows (target encoding) overrides it
///   to encode training rows out of fold.
public protocol Transformer: Sendable, Codable {
    /// The fitted transform `fit` returns.
    associatedtype Fitted: FittedTransformer
    /// The name this transformer is saved under ("standard_scaler"); unique
    /// among registered transformers (`TransformerRegistry`).
    static var kind: String { get }
    /// Learns from `frame`'s rows what transforming `columns` needs.
    ///
    /// - Parameters:
    ///   - columns: the columns to transform (never the target).
    ///   - target: the target column's name, for supervised transformers; `nil` when there is none.
    /// - Throws: `UsageError` for a column of a kind it cannot handle, naming the column.
    func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted
    /// Fits, and returns the fitted transform with the transformed `frame`.
    func fitTransform(_ frame: DataFrame, columns: [String], target: String?) throws -> (Fitted, DataFrame)
}

extension Transformer {
    /// `fit`, then `transform` of the same rows.
    public func fitTransform(_ frame: DataFrame, columns: [String], target: String?) throws -> (Fitted, DataFrame) {
        let fitted = try fit(frame, columns: columns, target: target)
        return (fitted, try fitted.transform(frame))
    }
}

/// A fitted transformation: immutable, Codable, safe to call from many threads.
public protocol FittedTransformer: Sendable, Codable {
    /// Transforms `frame`'s rows: the fitted columns are replaced (or
    /// expanded into new columns) per the transformer's rules; other columns
    /// pass through unchanged and in place.
    ///
    /// - Throws: `UsageError` naming a fitted column the frame lacks, or one
    ///   whose kind differs from training.
    func transform(_ frame: DataFrame) throws -> DataFrame
}

/// Which columns a pipeline step transforms, resolved against the training
/// rows when the pipeline is fitted (the target column is always left out).
public enum ColumnSelection: Sendable, Codable, Equatable {
    /// Every numeric column.
    case numeric
    /// Every categorical column.
    case categorical
    /// Every boolean column.
    case boolean
    /// Every date-time column.
    case datetime
    /// These columns, by name.
    case named([String])
    /// Every column.
    case all

    /// The selected column names of `frame`, in frame order, without `target`.
    ///
    /// - Throws: `UsageError` for a named column the frame lacks.
    public func resolve(in frame: DataFrame, target: String?) throws -> [String] {
        let names: [String]
        switch self {
        case .numeric: names = frame.columns.filter { $0.kind == .numeric }.map(\.name)
        case .categorical: names = frame.columns.filter { $0.kind == .categorical }.map(\.name)
        case .boolean: names = frame.columns.filter { $0.kind == .boolean }.map(\.name)
        case .datetime: names = frame.columns.filter { $0.kind == .datetime }.map(\.name)
        case .all: names = frame.columnNames
        case .named(let list):
            for name in list { _ = try frame.column(name) }
            names = frame.columnNames.filter { list.contains($0) }
        }
        return names.filter { $0 != target }
    }
}

/// The transformer types a saved pipeline may hold, by `kind`, so that a
/// pipeline of many transformer types can be saved and loaded.
///
/// Every built-in transformer is registered; register your own before
/// decoding a pipeline that holds it.
public enum TransformerRegistry {
    private static let lock = Lock()
    nonisolated(unsafe) private static var types: [String: any Transformer.Type] = {
        var table: [String: any Transformer.Type] = [:]
        for type in builtInTransformers { table[type.kind] = type }
        return table
    }()

    /// Makes `type` loadable by its `kind`.
    public static func register<T: Transformer>(_ type: T.Type) {
        lock.withLock { types[T.kind] = type }
    }

    /// The transformer type saved as `kind`.
    ///
    /// - Throws: `UsageError` for a kind no registered type has.
    static func type(of kind: String) throws -> any Transformer.Type {
        guard let type = lock.withLock({ types[kind] }) else {
            throw UsageError("a pipeline holds a transformer of unknown kind \"\(kind)\"",
                             hint: "register it with TransformerRegistry.register before loading")
        }
        return type
    }
}

/// Any transformer, for a pipeline's list of steps; saved with its `kind`.
public struct AnyTransformer: Sendable, Codable {
    /// The wrapped transformer.
    public let base: any Transformer

    /// Wraps `base`.
    public init(_ base: any Transformer) { self.base = base }

    private enum Keys: String, CodingKey { case kind, settings }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let type = try TransformerRegistry.type(of: try container.decode(String.self, forKey: .kind))
        base = try Self.decode(type, from: container.superDecoder(forKey: .settings))
    }

    private static func decode<T: Transformer>(_ type: T.Type, from decoder: any Decoder) throws -> any Transformer {
        try T(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(type(of: base).kind, forKey: .kind)
        try base.encode(to: container.superEncoder(forKey: .settings))
    }

    /// Fits the wrapped transformer.
    func fitTransform(_ frame: DataFrame, columns: [String], target: String?) throws -> (AnyFittedTransformer, DataFrame) {
        try Self.fitTransform(base, frame, columns, target)
    }

    private static func fitTransform<T: Transformer>(_ t: T, _ frame: DataFrame, _ columns: [String],
                                                     _ target: String?) throws -> (AnyFittedTransformer, DataFrame) {
        let (fitted, out) = try t.fitTransform(frame, columns: columns, target: target)
        return (AnyFittedTransformer(kind: T.kind, fitted), out)
    }
}

/// Any fitted transformer, saved with the `kind` of the transformer that made it.
public struct AnyFittedTransformer: Sendable, Codable {
    /// The kind of the transformer that made it.
    public let kind: String
    /// The wrapped fitted transform.
    public let base: any FittedTransformer

    init(kind: String, _ base: any FittedTransformer) {
        self.kind = kind
        self.base = base
    }

    private enum Keys: String, CodingKey { case kind, fitted }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        kind = try container.decode(String.self, forKey: .kind)
        let type = try TransformerRegistry.type(of: kind)
        base = try Self.decodeFitted(type, from: container.superDecoder(forKey: .fitted))
    }

    private static func decodeFitted<T: Transformer>(_ type: T.Type, from decoder: any Decoder) throws -> any FittedTransformer {
        try T.Fitted(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(kind, forKey: .kind)
        try base.encode(to: container.superEncoder(forKey: .fitted))
    }
}
