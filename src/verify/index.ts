/** Verification of runs: the invariant auditor and k6-style thresholds. */
export { audit, type AuditReport, type AuditOptions, type InvariantCheck, type Offence } from './audit.js';
export { verifyLedgerToken, type TokenVerifier } from './tokens.js';
export {
  parseThreshold,
  evaluateThreshold,
  evaluateThresholds,
  validateThresholds,
  ThresholdError,
  type Threshold,
  type ThresholdResult,
  type Aggregation,
  type Comparison,
} from './thresholds.js';
