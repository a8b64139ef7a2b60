#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text escaping and number formatting shared by the SVG charts and the
/// HTML report: every string that reaches the page goes through `escape`.
public enum Markup {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe in
    /// element content and in quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A coordinate with two decimals and no exponent ("12.5", "-3", "0.07"):
    /// short, and the same on every platform.
    public static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = (value * 100).rounded()
        let negative = hundredths < 0
        let magnitude = Int64(abs(hundredths))
        let whole = magnitude / 100, fraction = magnitude % 100
        var text = (negative && magnitude != 0 ? "-" : "") + String(whole)
        if fraction != 0 {
            text += fraction % 10 == 0 ? "." + String(fraction / 10) : (fraction < 10 ? ".0" : ".") + String(fraction)
        }
        return text
    }

    /// A data value for a tick or a tooltip: up to `digits` significant
    /// digits, trailing zeros dropped, exponent form outside [1e-4, 1e6).
    public static func number(_ value: Double, digits: Int = 4) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-4 {
            let exponent = Int((log10(magnitude)).rounded(.down))
            let mantissa = value / pow10(exponent)
            return number(mantissa, digits: digits) + "e" + String(exponent)
        }
        let decimals = max(0, digits - 1 - Int((log10(magnitude)).rounded(.down)))
        let scale = pow10(decimals)
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.hasSuffix(".0") { text.removeLast(2) }
        // String(Double) may print more digits than asked (binary fractions): trim.
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) - 1 > decimals {
            text = String(text[..<text.index(dot, offsetBy: decimals + (decimals > 0 ? 1 : 0))])
        }
        return text
    }

    static func pow10(_ n: Int) -> Double { pow(10, Double(n)) }
}

/// The colours charts draw series in: the Okabe–Ito palette, readable with
/// the common colour-vision deficiencies.
public enum Palette {
    /// Colour `index` (cycling).
    public static func color(_ index: Int) -> String {
        let colors = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
        return colors[((index % colors.count) + colors.count) % colors.count]
    }
}
