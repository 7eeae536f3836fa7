import type { GovernanceRule } from "../governance-input";
import { requireAgreement } from "./require-agreement";
import { requireCaller } from "./require-caller";
import { requireGrantedPurpose } from "./require-granted-purpose";
import { requirePermittedFields } from "./require-permitted-fields";
import { requirePermittedInputs } from "./require-permitted-inputs";
import { requirePurpose } from "./require-purpose";
import { statisticsOnly } from "./statistics-only";
// accountability (issue 4): disclosure grounds, processor contracts, compliance roles
import { requireContractedProcessorFields } from "./require-contracted-processor-fields";
import { requireContractedProcessorPurpose } from "./require-contracted-processor-purpose";
import { requireDisclosureGround } from "./require-disclosure-ground";
import { requireDisclosureReference } from "./require-disclosure-reference";
import { requireGrantedGround } from "./require-granted-ground";
import { requireRegisteredRecipientFields } from "./require-registered-recipient-fields";
import { requireRole } from "./require-role";
import { requireStatisticsOnlyDisclosure } from "./require-statistics-only-disclosure";

/**
 * The rules, in stages. The first stage with an objection decides the refusal (all of that
 * stage's errors are returned), so a caller who is not granted a purpose learns nothing
 * about which fields that purpose would permit. Later capabilities add their own stages.
 */
export const CORE_STAGES: ReadonlyArray<readonly GovernanceRule[]> = [
  [requireCaller],
  [requirePurpose],
  [requireGrantedPurpose],
  [requireDisclosureGround, requireContractedProcessorPurpose],
  [requireGrantedGround],
  [requireDisclosureReference],
  [requireAgreement],
  [requirePermittedFields, requirePermittedInputs],
  [statisticsOnly],
  [requireStatisticsOnlyDisclosure, requireRegisteredRecipientFields, requireContractedProcessorFields, requireRole],
];
