import type { GovernanceRule } from "../governance-input";
import { requireCaller } from "./require-caller";
import { requireGrantedPurpose } from "./require-granted-purpose";
import { requirePermittedFields } from "./require-permitted-fields";
import { requirePermittedInputs } from "./require-permitted-inputs";
import { requirePurpose } from "./require-purpose";

/**
 * The rules, in stages. The first stage with an objection decides the refusal (all of that
 * stage's errors are returned), so a caller who is not granted a purpose learns nothing
 * about which fields that purpose would permit. Later capabilities add their own stages.
 */
export const CORE_STAGES: ReadonlyArray<readonly GovernanceRule[]> = [
  [requireCaller],
  [requirePurpose],
  [requireGrantedPurpose],
  [requirePermittedFields, requirePermittedInputs],
];
