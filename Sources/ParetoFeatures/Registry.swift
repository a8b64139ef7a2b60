/// Every transformer Pareto ships, so that saved pipelines holding them load
/// without registration. Add each new built-in transformer here.
let builtInTransformers: [any Transformer.Type] = [
    DropColumns.self,
    Resample.self,
    VarianceThreshold.self,
    CorrelationPruning.self,
    MutualInformationSelection.self,
    ModelImportanceSelection.self,
    PermutationImportanceSelection.self,
]
