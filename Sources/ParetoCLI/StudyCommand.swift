import ArgumentParser
import Foundation
import Pareto
import ParetoTunePostgres

/// Opens the storage a `--storage` option names (the default SQLite file when `nil`).
///
/// - Throws: `StorageError` for a malformed URL, an unopenable file or an
///   unreachable server.
func openStorage(_ text: String?) throws -> any StudyStorage {
    switch try StorageLocation(parsing: text) {
    case .memory: return InMemoryStorage()
    case .sqlite(let path): return try SQLiteStorage(path: path)
    case .postgres(let address): return try PostgresStorage(address: address)
    }
}

/// The study `name` in `storage`, or a usage error that lists the studies there.
func existingStudy(_ name: String, in storage: any StudyStorage, storageText: String?) throws -> StudyRecord {
    if let study = try storage.loadStudy(name: name) { return study }
    let names = try storage.studies().map(\.name)
    let place = storageText ?? "sqlite:///" + StorageLocation.defaultSQLitePath
    throw UsageError("no study named \"\(name)\" in \(place)",
                     hint: names.isEmpty ? "the storage has no studies yet; run pareto tune first"
                                         : "studies there: \(names.joined(separator: ", "))")
}

/// A JSON text (a parameter's display value) as a JSON value, for output.
func jsonValue(_ text: JSONText) -> JSONValue {
    if let int = Int(text.text) { return .int(int) }
    if let number = Double(text.text) { return .number(number) }
    if let string = try? text.decode(String.self) { return .string(string) }
    if let bool = try? text.decode(Bool.self) { return .bool(bool) }
    return .string(text.text)
}

/// `pareto study list|show|export`: read the studies in a storage.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "List, show or export the studies that pareto tune keeps in a storage.",
        subcommands: [StudyListCommand.self, StudyShowCommand.self, StudyExportCommand.self])
}

/// The storage option every study subcommand takes.
struct StorageOption: ParsableArguments {
    @Option(help: "sqlite:///PATH, postgresql://user@host:port/database (default: sqlite:///.pareto/studies.sqlite).")
    var storage: String?
}

/// `pareto study list`: every study with its trial counts and best value.
struct StudyListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every study in the storage.")

    @OptionGroup var storageOption: StorageOption
    @Flag(help: "Print one JSON array instead of a table.") var json = false

    func run() throws {
        try ParetoCommand.reportingErrors { print(try report(), terminator: "") }
    }

    func report() throws -> String {
        let storage = try openStorage(storageOption.storage)
        var rows: [JSONValue] = []
        var lines = ["study                            trials  complete  pruned  failed  running  best"]
        for study in try storage.studies() {
            let trials = try storage.trials(studyID: study.id)
            let count = { (state: TrialState) in trials.filter { $0.state == state }.count }
            let best = Study.bestTrials(trials, study.directions).first
            rows.append(.object([
                ("study", .string(study.name)),
                ("directions", .array(study.directions.map { .string($0.rawValue) })),
                ("trials", .int(trials.count)),
                ("complete", .int(count(.complete))), ("pruned", .int(count(.pruned))), ("failed", .int(count(.failed))),
                ("running", .int(count(.running))), ("waiting", .int(count(.waiting))),
                ("best_value", best?.values.map { .array($0.map { .number($0) }) } ?? .null),
            ]))
            let bestText = study.directions.count == 1 ? (best?.value.map { shortNumber($0) } ?? "-") : "\(Study.bestTrials(trials, study.directions).count) on the front"
            lines.append(padded(study.name, 32) + " " + [trials.count, count(.complete), count(.pruned), count(.failed), count(.running)]
                .enumerated().map { padded(String($0.element), [6, 8, 6, 6, 7][$0.offset], right: true) }.joined(separator: "  ")
                + "  " + bestText)
        }
        if json { return JSONValue.array(rows).serialized() + "\n" }
        return rows.isEmpty ? "no studies\n" : lines.joined(separator: "\n") + "\n"
    }
}

/// `pareto study show --study NAME`: the study's trials, one line each.
struct StudyShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One study's trials, its best and its parameter importance (fANOVA).")

    @OptionGroup var storageOption: StorageOption
    @Option(help: "The study's name.") var study: String
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        try ParetoCommand.reportingErrors { print(try report(), terminator: "") }
    }

    func report() throws -> String {
        let storage = try openStorage(storageOption.storage)
        let record = try existingStudy(study, in: storage, storageText: storageOption.storage)
        let trials = try storage.trials(studyID: record.id)
        let best = Study.bestTrials(trials, record.directions)
        let looked = Study.validationTrialCount(trials)
        let confirmation = try Study.confirmation(in: storage, studyID: record.id)
        // fANOVA importance of the first objective; none before two complete trials.
        let importance = (try? ParameterImportance().evaluate(trials)) ?? []
        if json {
            return JSONValue.object([
                ("study", .string(record.name)),
                ("directions", .array(record.directions.map { .string($0.rawValue) })),
                ("best_trials", .array(best.map { .int($0.number) })),
                ("validation_trials", .int(looked)),
                ("confirmation", confirmation.map(confirmationJSON) ?? .null),
                ("importance", .object(importance.map { ($0.name, .number($0.importance)) })),
                ("trials", .array(trials.map(trialJSON))),
            ]).serialized() + "\n"
        }
        var lines = ["study \(record.name) (\(record.directions.map(\.rawValue).joined(separator: ", "))): \(trials.count) trials"]
        lines.append("validation data seen by \(looked) trial\(looked == 1 ? "" : "s") (complete, or reported a value)")
        if let confirmation {
            let after = looked - confirmation.validationTrials
            lines.append("confirmation on untouched test data: \(confirmation.metric) \(shortNumber(confirmation.value)) on \(confirmation.rows) rows"
                         + (confirmation.trial.map { ", trial \($0)" } ?? "")
                         + ", after \(confirmation.validationTrials) validation trials"
                         + (after > 0 ? "; \(after) trial\(after == 1 ? "" : "s") ran after it, so it does not cover them" : ""))
        } else {
            lines.append("no confirmation on untouched test data yet")
        }
        for trial in trials {
            let value = trial.values.map { $0.map(shortNumber).joined(separator: ", ") } ?? "-"
            let parameters = trial.parameters.keys.sorted().map { "\($0)=\(trial.parameters[$0]!.displayValue)" }.joined(separator: " ")
            let mark = best.contains { $0.number == trial.number } ? " *" : ""
            lines.append(padded(String(trial.number), 5, right: true) + "  " + padded(trial.state.rawValue, 8) + "  " + padded(value, 12)
                         + "  " + parameters + mark)
        }
        if !best.isEmpty { lines.append("* best") }
        if !importance.isEmpty {
            lines.append("parameter importance (fANOVA, share of the objective's variance): "
                         + importance.map { "\($0.name) \(String(format: "%.3f", $0.importance))" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One trial as JSON for `study show`: number, state, values, parameters.
func trialJSON(_ trial: TrialRecord) -> JSONValue {
    .object([
        ("number", .int(trial.number)),
        ("state", .string(trial.state.rawValue)),
        ("values", trial.values.map { .array($0.map { .number($0) }) } ?? .null),
        ("params", .object(trial.parameters.keys.sorted().map { ($0, jsonValue(trial.parameters[$0]!.displayValue)) })),
        ("duration", trial.duration.map { .number($0) } ?? .null),
        ("retry_of", trial.retryOf.map { .int($0) } ?? .null),
    ])
}

/// A confirmation as JSON for `study show --json`.
func confirmationJSON(_ confirmation: Confirmation) -> JSONValue {
    .object([
        ("metric", .string(confirmation.metric)), ("value", .number(confirmation.value)), ("rows", .int(confirmation.rows)),
        ("trial", confirmation.trial.map { .int($0) } ?? .null),
        ("validation_trials", .int(confirmation.validationTrials)), ("recorded_at", .number(confirmation.recordedAt)),
    ])
}

/// `pareto study export --study NAME`: every trial as JSON (default) or CSV,
/// or the analysis (history, slices, contours) as JSON.
struct StudyExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Every trial of a study as JSON or CSV, or its analysis (to standard output or --output).",
        discussion: """
            --format analysis writes one JSON object for plotting: the best trials, the \
            optimization history, the number of trials that looked at the validation data, the \
            slice data (per parameter, each complete trial's value and objective) and the contour \
            data (per pair of parameters, each complete trial's two values and objective; raw \
            points, not an interpolated grid) and the fANOVA parameter importance (each \
            parameter's share of the objective's variance, from a 64-tree random forest over \
            the complete trials). --objective K picks the objective of a multi-objective study.
            """)

    @OptionGroup var storageOption: StorageOption
    @Option(help: "The study's name.") var study: String
    @Option(help: "json, csv or analysis.") var format = "json"
    @Option(help: "For --format analysis: the objective (0-based) of a multi-objective study.") var objective = 0
    @Option(help: "Write to this file (atomically) instead of standard output.") var output: String?

    func run() throws {
        try ParetoCommand.reportingErrors {
            let text = try export()
            if let output {
                try TrialExport.write(text, to: output)
            } else {
                print(text, terminator: "")
            }
        }
    }

    func export() throws -> String {
        guard ["json", "csv", "analysis"].contains(format) else {
            throw UsageError("--format must be json, csv or analysis, not \"\(format)\"")
        }
        let storage = try openStorage(storageOption.storage)
        let record = try existingStudy(study, in: storage, storageText: storageOption.storage)
        guard record.directions.indices.contains(objective) else {
            throw UsageError("--objective \(objective) is out of range: study \"\(record.name)\" has \(record.directions.count) objective(s)",
                             hint: "objectives are numbered from 0")
        }
        let trials = try storage.trials(studyID: record.id)
        let text = switch format {
        case "csv": TrialExport.csv(trials)
        case "analysis": StudyPlots.json(trials, directions: record.directions, objective: objective)
        default: TrialExport.json(trials)
        }
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}

/// A number in at most six significant digits.
func shortNumber(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    return String(format: "%.6g", x)
}

/// `text` padded with spaces to `width` characters (on the left when `right`).
func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}
