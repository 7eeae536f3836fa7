import type { GovernanceRule } from "../governance-input";
import type { GateStage } from "../stages";
import { requireCaller } from "./require-caller";
import { requireGrantedPurpose } from "./require-granted-purpose";
import { requirePermittedFields } from "./require-permitted-fields";
import { requirePermittedInputs } from "./require-permitted-inputs";
import { requirePurpose } from "./require-purpose";
import { requireRole } from "./require-role";
import { requireSupportedOperation } from "./require-supported-operation";
import { requireWellFormedArguments } from "./require-well-formed-arguments";

/** The kernel's own rules, by stage; features add theirs at the composition root. */
export const KERNEL_RULES: Readonly<Partial<Record<GateStage, readonly GovernanceRule[]>>> = {
  operation: [requireSupportedOperation, requireWellFormedArguments],
  caller: [requireCaller],
  purpose: [requirePurpose],
  grant: [requireGrantedPurpose],
  fields: [requirePermittedFields, requirePermittedInputs],
  contract: [requireRole],
};
