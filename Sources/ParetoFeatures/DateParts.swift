#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParetoCore
import ParetoData

/// Expands each date-time column into calendar parts a model can use —
/// year, month, day, day of week, day of year, hour, minute, weekend — and
/// optionally sine/cosine pairs that put December next to January, Sunday
/// next to Monday and 23:00 next to midnight.
///
/// ```swift
/// Pipeline([.init(.datetime, DateParts(parts: [.year, .month, .dayOfWeek, .monthCycle]))])
/// // "signup" → "signup_year", "signup_month", "signup_day_of_week",
/// //            "signup_month_sin", "signup_month_cos"
/// ```
///
/// Rules:
/// - Parts are computed in UTC (how date-time columns are stored) on the
///   proleptic Gregorian calendar, as pandas' `.dt` accessors compute them:
///   month 1–12, day 1–31, day of week 0 (Monday) – 6 (Sunday), day of year
///   1–366, hour 0–23, minute 0–59. Dates before 1970 work the same.
/// - Each part becomes a numeric column named `<column>_<part>` (see
///   `Part.outputNames`), in `parts` order, in the place of the original
///   column; `isWeekend` is a boolean column (Saturday or Sunday). The
///   original column is dropped unless `keepOriginal` is on (then it stays
///   first).
/// - Cycles use the zero-based position in the cycle: month m gives angle
///   2π(m − 1)/12, day of week d gives 2πd/7, hour h gives 2πh/24; the
///   columns hold sin and cos of that angle.
/// - A missing date gives missing parts (NaN, or a missing boolean).
/// - Date-only columns have hour and minute 0.
///
/// Cost: fit only checks kinds; transform is one pass per column with a
/// few integer divisions per value, in parallel over row chunks.
public struct DateParts: Transformer, Equatable {
    /// The name saved pipelines record this transformer under.
    public static let kind = "date_parts"

    /// One part of a date to extract.
    public enum Part: String, Sendable, Codable, CaseIterable, Equatable {
        /// The year (e.g. 2024).
        case year
        /// The month, 1–12.
        case month
        /// The day of the month, 1–31.
        case day
        /// The day of the week, 0 = Monday … 6 = Sunday.
        case dayOfWeek = "day_of_week"
        /// The day of the year, 1–366.
        case dayOfYear = "day_of_year"
        /// The hour, 0–23.
        case hour
        /// The minute, 0–59.
        case minute
        /// Whether the day is a Saturday or Sunday (a boolean column).
        case isWeekend = "is_weekend"
        /// sin and cos of the month's angle, 2π(month − 1)/12.
        case monthCycle = "month_cycle"
        /// sin and cos of the weekday's angle, 2π·dayOfWeek/7.
        case dayOfWeekCycle = "day_of_week_cycle"
        /// sin and cos of the hour's angle, 2π·hour/24.
        case hourCycle = "hour_cycle"

        /// The suffixes of the columns this part adds (`_sin` and `_cos` for cycles).
        public var outputNames: [String] {
            switch self {
            case .monthCycle: ["month_sin", "month_cos"]
            case .dayOfWeekCycle: ["day_of_week_sin", "day_of_week_cos"]
            case .hourCycle: ["hour_sin", "hour_cos"]
            default: [rawValue]
            }
        }

        /// The plain calendar parts, without cycles: the default.
        public static let calendar: [Part] = [.year, .month, .day, .dayOfWeek, .dayOfYear, .hour, .minute, .isWeekend]
    }

    /// The parts to extract, in output order (default `Part.calendar`).
    public var parts: [Part]
    /// Whether to keep the original column before its parts (default `false`).
    public var keepOriginal: Bool

    /// Creates the transformer.
    public init(parts: [Part] = Part.calendar, keepOriginal: Bool = false) {
        self.parts = parts
        self.keepOriginal = keepOriginal
    }

    /// The columns and parts to extract (nothing is learned from the rows).
    public struct Fitted: FittedTransformer, Equatable {
        /// The expanded date-time columns.
        public var columns: [String]
        /// The parts, in output order.
        public var parts: [Part]
        /// Whether the original columns stay.
        public var keepOriginal: Bool

        /// Replaces each fitted column by its parts.
        ///
        /// - Throws: `UsageError` naming a column the frame lacks or holds
        ///   with another kind, or a part's name that is already a column.
        public func transform(_ frame: DataFrame) throws -> DataFrame {
            var dates: [DateTimeColumn] = []
            for name in columns {
                guard let column = frame[name] else { throw missingColumn(frame, name, for: DateParts.kind) }
                guard case .datetime(let values) = column.values else {
                    throw UsageError("column \"\(name)\" is \(column.kind); date_parts expands date-time columns",
                                     hint: "read the column as a date (a CSV column kind of \"date\")")
                }
                dates.append(values)
            }
            var replacements: [String: [Column]] = [:]
            for (name, values) in zip(columns, dates) {
                let parts = DateParts.extract(parts, from: values, prefix: name)
                replacements[name] = (keepOriginal ? [frame[name]!] : []) + parts
            }
            return try frame.replacingColumns(replacements)
        }
    }

    /// Checks that `columns` are date-time columns and that the part
    /// columns' names are free.
    ///
    /// - Throws: `UsageError` for no parts, a repeated part, a column of
    ///   another kind, or a part column whose name is taken.
    public func fit(_ frame: DataFrame, columns: [String], target: String?) throws -> Fitted {
        guard !parts.isEmpty else {
            throw UsageError("date_parts has no parts to extract", hint: "list parts such as .year, .month, .dayOfWeek")
        }
        if let repeated = parts.enumerated().first(where: { parts[..<$0.offset].contains($0.element) }) {
            throw UsageError("date_parts lists the part \"\(repeated.element.rawValue)\" twice")
        }
        let fitted = Fitted(columns: columns, parts: parts, keepOriginal: keepOriginal)
        _ = try fitted.transform(frame.rows(0..<min(frame.rowCount, 1)))  // kinds and names, on one row
        return fitted
    }

    /// The part columns of `dates`.
    static func extract(_ parts: [Part], from dates: DateTimeColumn, prefix: String) -> [Column] {
        let n = dates.count
        let names = parts.flatMap(\.outputNames)
        let numericCount = names.count - (parts.contains(.isWeekend) ? 1 : 0)
        let numeric = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, numericCount * n))
        let weekend = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, n))
        defer {
            numeric.deallocate()
            weekend.deallocate()
        }
        let numericOut = SendableBuffer(numeric), weekendOut = SendableBuffer(weekend)
        dates.microseconds.withUnsafeBufferPointer { stamps in
            let input = SendableBuffer(UnsafeMutableBufferPointer(mutating: stamps))
            Parallel.forEachChunk(0..<n, minimumChunk: 1 << 14) { range in
                for i in range {
                    let stamp = input[i]
                    guard stamp != DateTimeColumn.missingValue else {
                        for k in 0..<numericCount { numericOut[k * n + i] = .nan }
                        weekendOut[i] = BooleanColumn.missingValue
                        continue
                    }
                    let date = CalendarDate(microseconds: stamp)
                    var k = 0
                    func put(_ value: Double) {
                        numericOut[k * n + i] = value
                        k += 1
                    }
                    for part in parts {
                        switch part {
                        case .year: put(Double(date.year))
                        case .month: put(Double(date.month))
                        case .day: put(Double(date.day))
                        case .dayOfWeek: put(Double(date.dayOfWeek))
                        case .dayOfYear: put(Double(date.dayOfYear))
                        case .hour: put(Double(date.hour))
                        case .minute: put(Double(date.minute))
                        case .isWeekend: weekendOut[i] = date.dayOfWeek >= 5 ? 1 : 0
                        case .monthCycle:
                            let angle = 2 * Double.pi * Double(date.month - 1) / 12
                            put(sin(angle))
                            put(cos(angle))
                        case .dayOfWeekCycle:
                            let angle = 2 * Double.pi * Double(date.dayOfWeek) / 7
                            put(sin(angle))
                            put(cos(angle))
                        case .hourCycle:
                            let angle = 2 * Double.pi * Double(date.hour) / 24
                            put(sin(angle))
                            put(cos(angle))
                        }
                    }
                }
            }
        }
        var columns: [Column] = []
        var k = 0
        for part in parts {
            if part == .isWeekend {
                let flags = (0..<n).map { weekend[$0] == BooleanColumn.missingValue ? nil : weekend[$0] == 1 }
                columns.append(.boolean("\(prefix)_\(part.rawValue)", flags))
                continue
            }
            for suffix in part.outputNames {
                columns.append(.numeric("\(prefix)_\(suffix)", Array(numeric[(k * n)..<((k + 1) * n)])))
                k += 1
            }
        }
        return columns
    }
}

/// A UTC timestamp's calendar fields.
struct CalendarDate {
    var year: Int, month: Int, day: Int
    /// 0 = Monday … 6 = Sunday.
    var dayOfWeek: Int
    /// 1 … 366.
    var dayOfYear: Int
    var hour: Int, minute: Int

    /// The fields of `microseconds` since 1970-01-01T00:00:00Z (negative before).
    init(microseconds: Int64) {
        let perDay: Int64 = 86_400_000_000
        // Floor division, so that times before 1970 fall on the right day.
        var days = microseconds / perDay, rest = microseconds % perDay
        if rest < 0 {
            days -= 1
            rest += perDay
        }
        let civil = ISO8601.civil(fromDays: Int(days))
        (year, month, day) = (civil.year, civil.month, civil.day)
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        let weekday = (Int(days) + 3) % 7
        dayOfWeek = weekday < 0 ? weekday + 7 : weekday
        dayOfYear = Int(days) - ISO8601.daysFromCivil(year: year, month: 1, day: 1) + 1
        let seconds = Int(rest / 1_000_000)
        hour = seconds / 3600
        minute = seconds / 60 % 60
    }
}
