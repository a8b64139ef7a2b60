// ParetoEval: honest evaluation. Metrics (one trusted set for every module),
// cross-validation, bootstrap intervals, paired model comparison,
// calibration, decision thresholds and per-segment reports.
// Depends on ParetoCore and ParetoData only.
