/// Reads and writes ISO-8601 dates and date-times as microseconds since
/// 1970-01-01T00:00:00Z.
///
/// Accepted: `YYYY-MM-DD`, then optionally `T` or one space, `HH:MM`,
/// optional `:SS`, optional fraction (`.` or `,` and up to 9 digits, kept to
/// the microsecond), and an optional zone: `Z`, `±HH`, `±HH:MM` or `±HHMM`.
/// Values without a zone are taken as UTC. Cost: a handful of integer
/// operations, no allocation.
public enum ISO8601 {
    /// A parsed timestamp and whether it carried a time of day.
    public struct Parsed: Sendable, Equatable {
        /// Microseconds since the Unix epoch.
        public var microseconds: Int64
        /// Whether the text had a time of day.
        public var hasTime: Bool
    }

    /// Parses `text`, or returns `nil` when it is not an ISO-8601 date or date-time.
    public static func parse(_ text: String) -> Parsed? {
        var bytes = Array(text.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { parse($0.baseAddress!, 0, $0.count - 1) }
    }

    @inline(__always)
    static func digits(_ b: UnsafePointer<UInt8>, _ at: Int, _ count: Int, _ end: Int) -> Int? {
        guard at + count <= end else { return nil }
        var value = 0
        for k in 0..<count {
            let d = b[at + k] &- 0x30
            if d > 9 { return nil }
            value = value * 10 + Int(d)
        }
        return value
    }

    /// Parses `bytes[start..<end]`; `nil` when it is not a date or date-time.
    static func parse(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Parsed? {
        var i = start
        var stop = end
        while i < stop && b[i] == 0x20 { i += 1 }
        while stop > i && b[stop - 1] == 0x20 { stop -= 1 }
        guard stop - i >= 10,
              let year = digits(b, i, 4, stop), b[i + 4] == UInt8(ascii: "-"),
              let month = digits(b, i + 5, 2, stop), b[i + 7] == UInt8(ascii: "-"),
              let day = digits(b, i + 8, 2, stop),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        i += 10
        var micros = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400_000_000
        if i == stop { return Parsed(microseconds: micros, hasTime: false) }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") else { return nil }
        i += 1
        guard let hour = digits(b, i, 2, stop), i + 2 < stop, b[i + 2] == UInt8(ascii: ":"),
              let minute = digits(b, i + 3, 2, stop), hour <= 24, minute <= 59
        else { return nil }
        i += 5
        var second = 0
        var fraction: Int64 = 0
        if i < stop && b[i] == UInt8(ascii: ":") {
            guard let s = digits(b, i + 1, 2, stop), s <= 60 else { return nil }
            second = s
            i += 3
            if i < stop && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                i += 1
                var count = 0
                while i < stop, b[i] &- 0x30 <= 9 {
                    if count < 6 { fraction = fraction * 10 + Int64(b[i] &- 0x30) }
                    count += 1
                    i += 1
                }
                guard count > 0, count <= 9 else { return nil }
                for _ in count..<max(count, 6) { fraction *= 10 }
            }
        }
        if hour == 24 && (minute != 0 || second != 0 || fraction != 0) { return nil }
        micros += (Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)) * 1_000_000 + fraction
        if i < stop {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
                guard let zoneHours = digits(b, i + 1, 2, stop), zoneHours <= 23 else { return nil }
                i += 3
                var zoneMinutes = 0
                if i < stop {
                    if b[i] == UInt8(ascii: ":") { i += 1 }
                    guard let m = digits(b, i, 2, stop), m <= 59 else { return nil }
                    zoneMinutes = m
                    i += 2
                }
                micros -= sign * (Int64(zoneHours) * 3600 + Int64(zoneMinutes) * 60) * 1_000_000
            } else {
                return nil
            }
        }
        guard i == stop else { return nil }
        return Parsed(microseconds: micros, hasTime: true)
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (era-based
    /// arithmetic: a 400-year era has exactly 146,097 days).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9  // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date (year, month, day) `days` after 1970-01-01.
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Formats `microseconds` since the epoch as `YYYY-MM-DD` or
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    public static func format(microseconds: Int64, includeTime: Bool) -> String {
        let perDay: Int64 = 86_400_000_000
        var days = microseconds / perDay
        var rest = microseconds % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let date = civil(fromDays: Int(days))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
        guard includeTime else { return text }
        let seconds = Int(rest / 1_000_000)
        let fraction = Int(rest % 1_000_000)
        text += "T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        if fraction != 0 { text += "." + pad(fraction, 6) }
        return text + "Z"
    }
}
