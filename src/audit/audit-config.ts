/** Audit trail and ledger settings, from environment variables (see docs/readme/accountability.md). */
export interface AuditConfig {
  /** how long disclosure ledger records are kept: APPI Art. 29 asks three years */
  ledgerRetentionDays: number;
  /** the most events one group commit writes */
  maxBatch: number;
}

export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  return {
    ledgerRetentionDays: int(env, "LEDGER_RETENTION_DAYS", 1095, 1),
    maxBatch: int(env, "AUDIT_MAX_BATCH", 500, 1),
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}
