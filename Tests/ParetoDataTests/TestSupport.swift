import Foundation
import Testing
@testable import ParetoData

/// Reads CSV text with the given options (defaults otherwise).
func readCSV(_ text: String, threads: Int? = nil, blockSize: Int? = nil,
             configure: (inout CSVOptions) -> Void = { _ in }) throws -> DataFrame {
    var options = CSVOptions()
    options.threads = threads
    if let blockSize { options.blockSize = blockSize }
    configure(&options)
    return try CSVReader(options: options).read(text: text, name: "test.csv")
}

/// The error `body` throws as a `CSVError`, or a test failure.
func csvError(_ body: () throws -> Any) -> CSVError? {
    do {
        _ = try body()
        Issue.record("expected a CSVError, but reading succeeded")
        return nil
    } catch let error as CSVError {
        return error
    } catch {
        Issue.record("expected a CSVError, got \(error)")
        return nil
    }
}

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pareto-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The folder of committed fixtures (slices of ../shared/datasets and pandas' figures).
var fixturesURL: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

/// The fixture data sets' names (without `.csv`).
let fixtureNames = [
    "adult", "bank_marketing_full", "bike_sharing_hourly", "breast_cancer_wisconsin", "california_housing",
    "diabetes", "iris", "letter_recognition", "wine",
]
