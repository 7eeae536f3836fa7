import type { FeatureDb } from "../../kernel/store/feature-db";
import type { Settings } from "../../config/settings";
import { ErasureOutbox, httpTransport } from "./erasure-outbox";

/** The erasure outbox as the settings configure it (the gateway's and the CLI's). */
export function outboxOf(db: FeatureDb, settings: Pick<Settings, "requests" | "operations">): ErasureOutbox {
  const { signing, deliveryTimeoutMs, leaseMs } = settings.operations.erasure;
  const { maxAttempts, retryBaseMs } = settings.requests.erasure;
  return new ErasureOutbox(db, httpTransport(signing), { maxAttempts, retryBaseMs, deliveryTimeoutMs, leaseMs });
}
