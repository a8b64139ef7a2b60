// ParetoLinear: linear and logistic models fitted on dense row-major
// matrices (regularization paths, warm starts, weights). Depends on
// ParetoCore only; tables reach it through ParetoFeatures' FeatureMatrix.
