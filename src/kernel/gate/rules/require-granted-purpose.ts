import { KernelCode } from "../../errors/catalogue";
import { refusal } from "../../errors/refusal";
import type { GovernanceRule } from "../governance-input";

/** The caller must have been granted the purpose it declares. */
export const requireGrantedPurpose: GovernanceRule = ({ purpose, caller }) =>
  purpose && caller && !caller.purposes.includes(purpose.name)
    ? [
        refusal(KernelCode.PURPOSE_NOT_GRANTED, `Client "${caller.name}" is not granted the purpose ${purpose.name}.`, {
          purpose: purpose.name,
        }),
      ]
    : [];
