/**
 * The gate's stages, in order. The first stage with an objection decides the refusal (all
 * of that stage's errors are returned), so a caller who is not granted a purpose learns
 * nothing about which fields that purpose would permit. The kernel's rules and each
 * feature's rules are placed in named stages at the composition root.
 */
export const GATE_STAGES = [
  /** an operation the gateway serves at all (queries and mutations) */
  "operation",
  /** an API key where one is needed */
  "caller",
  /** a declared purpose where personal data is reached */
  "purpose",
  /** the purpose is granted to the client */
  "grant",
  /** whom the client acts for: disclosure grounds, processor contracts (Sections 3, 4) */
  "recipient",
  "recipient-grant",
  "recipient-reference",
  /** what the purpose itself names (an individual agreement, 1.7) */
  "agreement",
  /** every reachable field and filter permitted for the purpose */
  "fields",
  /** what a purpose may reach at all (statistics: aggregates only) */
  "purpose-reach",
  /** contracts, registrations and roles, field by field */
  "contract",
] as const;

export type GateStage = (typeof GATE_STAGES)[number];
