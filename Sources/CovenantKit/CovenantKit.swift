// The library's facade: one `import CovenantKit` gives every stage's public API, in stage order
// (ARCHITECTURE.md). Nothing is defined here.
@_exported import CovenantValues
@_exported import CovenantJSON
@_exported import CovenantSyntax
@_exported import CovenantSemantics
@_exported import CovenantPlanning
@_exported import CovenantData
@_exported import CovenantEvaluation
@_exported import CovenantDriver
@_exported import CovenantReporting
@_exported import CovenantFormatting
@_exported import CovenantTesting
