import type { Decision } from "../../kernel/gate/gate";
import { Purpose } from "../../kernel/purposes/purpose";

/** Purposes whose reach depends on each customer's consent, and the version it was given under. */
const CONSENT_PURPOSES: ReadonlySet<Purpose> = new Set([Purpose.INDIVIDUAL_AGREEMENT]);

/**
 * The restricted fields an allowed operation uses — reads, plus the fields its filters and
 * sorts reveal — when its purpose rests on consent; undefined otherwise. The row rule
 * requires each customer's consent to postdate the moment each of them became reachable.
 */
export function consentCoordinatesOf(decision: Decision): readonly string[] | undefined {
  if (!decision.allowed || !decision.purpose || !CONSENT_PURPOSES.has(decision.purpose.name)) return undefined;
  const { policy, inputs } = decision.input;
  const used = new Set<string>();
  for (const coordinate of decision.reach.fields.keys()) if (policy.allowedPurposes(coordinate)) used.add(coordinate);
  for (const input of inputs.keys()) {
    const revealed = policy.revealedBy(input);
    if (revealed) used.add(revealed);
  }
  return [...used].sort();
}
