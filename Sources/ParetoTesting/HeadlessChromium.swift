import Foundation

/// Renders a page in headless Chromium for tests that check a report in a
/// real browser (CI installs Debian's `chromium`).
public enum HeadlessChromium {
    /// The browser's path, or nil when none is installed.
    public static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// What a screenshot run produced.
    public struct Screenshot: Sendable {
        /// The browser's exit status.
        public var status: Int32
        /// The PNG's width and height (from its IHDR chunk), and its size in bytes.
        public var width: Int
        public var height: Int
        public var bytes: Int
        /// Whether the file starts with the PNG signature.
        public var isPNG: Bool
        /// Console errors the page logged.
        public var consoleErrors: [String]
        /// The browser's whole log, for failure messages.
        public var log: String
    }

    /// Screenshots `page` (a path) into `shot` at `width` × `height`, and,
    /// when `PARETO_SCREENSHOT_DIR` is set, copies it there as `keepAs`.
    ///
    /// - Throws: when Chromium is missing or cannot be started, or the
    ///   screenshot cannot be read.
    public static func screenshot(of page: String, to shot: String, width: Int, height: Int,
                                  keepAs: String? = nil) throws -> Screenshot {
        guard let path else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--window-size=\(width),\(height)", "--enable-logging=stderr", "--v=0",
                             "--screenshot=\(shot)", "file://\(page)"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        // PNG signature, then IHDR: width and height big-endian at bytes 16–23.
        let isPNG = png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let w = png.count >= 24 ? png[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
        let h = png.count >= 24 ? png[20..<24].reduce(0) { $0 << 8 | Int($1) } : 0
        if let keepAs, let directory = ProcessInfo.processInfo.environment["PARETO_SCREENSHOT_DIR"] {
            try? FileManager.default.copyItem(atPath: shot, toPath: directory + "/" + keepAs)
        }
        let consoleErrors = log.split(separator: "\n").filter { $0.contains("CONSOLE") && $0.contains("ERROR") }.map(String.init)
        return Screenshot(status: process.terminationStatus, width: w, height: h, bytes: png.count, isPNG: isPNG,
                          consoleErrors: consoleErrors, log: log)
    }
}
