/** An individual agreement's key: lower-case letters, digits and . _ -, e.g. `survey-2026`. */
export const AGREEMENT_KEY_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/;

export function isAgreementKey(value: unknown): value is string {
  return typeof value === "string" && AGREEMENT_KEY_PATTERN.test(value);
}
