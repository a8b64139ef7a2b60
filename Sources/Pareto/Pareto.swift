// The umbrella module: `import Pareto` brings in every public module.
@_exported import ParetoCore
@_exported import ParetoData
@_exported import ParetoTrees
@_exported import ParetoEval
@_exported import ParetoFeatures
@_exported import ParetoLinear
@_exported import ParetoTune
@_exported import ParetoReport
@_exported import ParetoDeploy
@_exported import ParetoNeural
@_exported import ParetoOptimize
@_exported import ParetoTuneSQLite
