import { Purpose } from "../../../kernel/purposes/purpose";
import { statisticsCoordinates } from "../aggregate-only";
import { KernelCode } from "../../../kernel/errors/catalogue";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/**
 * Under USAGE_STATISTICS (agreement 1.6) only `statistics` and what lies beneath it may be
 * reached: aggregates, never records, and not even public fields beside them (campaigns,
 * viewer, mutations), so an analyst's operation is statistics and nothing else.
 */
export const statisticsOnly: GovernanceRule = ({ schema, reach, purpose }) => {
  if (purpose?.name !== Purpose.USAGE_STATISTICS) return [];
  const allowed = statisticsCoordinates(schema);
  const errors = [];
  for (const [coordinate, node] of reach.fields) {
    if (allowed.has(coordinate)) continue;
    errors.push(
      refusal(
        KernelCode.PURPOSE_NOT_PERMITTED,
        `${coordinate} may not be read for USAGE_STATISTICS: that purpose reaches only \`statistics\` (aggregates, never records).`,
        { coordinate, purpose: purpose.name },
        node,
      ),
    );
  }
  return errors;
};
