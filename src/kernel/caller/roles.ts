/**
 * Compliance roles: grants beyond purposes. The Purpose enum is fixed to Section 1, so work
 * such as reading the audit trail is bound to a purpose (DATA_SUBJECT_REQUEST) AND a role.
 * A role is the only other road to customer-linked records than a purpose's row rule, so
 * the roles are declared here, in the kernel, and every field using one says so in the SDL.
 */
export enum ComplianceRole {
  PRIVACY_OFFICER = "PRIVACY_OFFICER",
}

export const ALL_ROLES: readonly ComplianceRole[] = Object.values(ComplianceRole);

export function isComplianceRole(value: unknown): value is ComplianceRole {
  return typeof value === "string" && (ALL_ROLES as readonly string[]).includes(value);
}
