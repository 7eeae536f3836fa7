import type { ClientRegistry } from "../clients/client-registry";
import { Purpose } from "../kernel/purposes/purpose";

/** The demo's API clients: one per kind of user the gateway serves. */
export const DEMO_CLIENTS: ReadonlyArray<{ name: string; purposes: Purpose[]; role: string }> = [
  { name: "demo-shop-frontend", purposes: [Purpose.SERVICE_PROVISION], role: "the shop's web frontend" },
  { name: "demo-campaign-office", purposes: [Purpose.PRIZE_DELIVERY], role: "the gift-campaign office" },
  { name: "demo-marketing", purposes: [Purpose.NOTIFICATION, Purpose.PRODUCT_IMPROVEMENT], role: "marketing" },
  { name: "demo-analyst", purposes: [Purpose.USAGE_STATISTICS], role: "an analyst (statistics only)" },
  { name: "demo-survey-team", purposes: [Purpose.INDIVIDUAL_AGREEMENT], role: "the survey team (individual agreements)" },
  { name: "demo-privacy-office", purposes: [Purpose.DATA_SUBJECT_REQUEST], role: "the privacy officer" },
  // acting for the demo recipients (src/seed/demo-recipients.ts): Sections 3 and 4
  { name: "demo-shipping", purposes: [Purpose.PRIZE_DELIVERY], role: "the prize shipping company (processor)" },
  { name: "demo-mailer", purposes: [Purpose.NOTIFICATION], role: "the e-mail magazine service (processor)" },
  { name: "demo-partner", purposes: [Purpose.SERVICE_PROVISION, Purpose.USAGE_STATISTICS], role: "a partner travel service (third party)" },
];

/**
 * Issues fresh keys for the demo clients on every demo start (rotation invalidates the
 * old demo keys: keys are shown once and never stored, so this is the only way to show them).
 */
export async function issueDemoKeys(
  clients: ClientRegistry,
): Promise<Array<{ name: string; role: string; purposes: Purpose[]; key: string }>> {
  const existing = await clients.list();
  const issued = [];
  for (const demo of DEMO_CLIENTS) {
    const { key } = existing.some((c) => c.name === demo.name)
      ? await clients.rotate(demo.name)
      : await clients.create(demo.name, demo.purposes);
    issued.push({ ...demo, key });
  }
  return issued;
}
