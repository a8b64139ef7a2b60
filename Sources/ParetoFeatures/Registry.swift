/// Every transformer Pareto ships, so that saved pipelines holding them load
/// without registration. Add each new built-in transformer here.
let builtInTransformers: [any Transformer.Type] = [
    DropColumns.self,
    OneHotEncoder.self,
    OrdinalEncoder.self,
    FrequencyEncoder.self,
    TargetEncoder.self,
    PolynomialFeatures.self,
    Ratios.self,
    GroupAggregates.self,
    SimpleImputer.self,
    StandardScaler.self,
    MinMaxScaler.self,
    RobustScaler.self,
    MaxAbsScaler.self,
    PowerTransformer.self,
    Discretizer.self,
    DateParts.self,
]
