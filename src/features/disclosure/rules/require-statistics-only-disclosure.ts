import { DisclosureCode } from "../codes";
import { DisclosureGround } from "../../../kernel/purposes/disclosure-ground";
import { disclosureOf, isRootCoordinate, STATISTICS_API } from "../operation-disclosure";
import { isThirdParty } from "../../../kernel/caller/recipient";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/**
 * Agreement 3.2: on ANONYMOUS_STATISTICS a third party gets statistics "in a form that
 * cannot be specified as individual personal information" — only the statistics API.
 * Every other root field (data or not, query or mutation) is refused, one error each.
 */
export const requireStatisticsOnlyDisclosure: GovernanceRule = (input) => {
  const declared = disclosureOf(input);
  if (!isThirdParty(input.caller?.recipient) || declared.kind !== "declared") return [];
  if (declared.disclosure.ground !== DisclosureGround.ANONYMOUS_STATISTICS) return [];
  const errors = [];
  for (const [coordinate, node] of input.reach.fields) {
    if (!isRootCoordinate(input, coordinate) || STATISTICS_API.has(coordinate)) continue;
    errors.push(
      refusal(
        DisclosureCode.DISCLOSURE_STATISTICS_ONLY,
        `${coordinate} is not part of the statistics API; on ANONYMOUS_STATISTICS only ${[...STATISTICS_API].join(", ")} may be used.`,
        { coordinate, ground: DisclosureGround.ANONYMOUS_STATISTICS },
        node,
      ),
    );
  }
  return errors;
};
