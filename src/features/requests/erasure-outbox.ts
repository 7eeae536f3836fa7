import type { FeatureDb } from "../../kernel/store/feature-db";
import { logger } from "../../observability/logger";

export interface ErasureNotice {
  notificationId: string;
  requestId: string;
  customerId: string;
  recipientId: string;
  recipientName: string;
  url: string;
}

/** Delivers one notice; throws to have it retried. */
export type ErasureTransport = (notice: ErasureNotice) => Promise<void>;

/** POSTs the notice as JSON to the recipient's endpoint; any non-2xx answer is a failure. */
export const httpTransport: ErasureTransport = async (notice) => {
  const res = await fetch(notice.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      type: "personal-data-erasure",
      customerId: notice.customerId,
      requestId: notice.requestId,
      notice: "The customer's personal data has been erased at their request (agreement 1.5). Erase every copy you hold.",
    }),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
};

export interface OutboxOptions {
  maxAttempts: number;
  /** first retry after this; each further retry waits twice as long */
  retryBaseMs: number;
}

/**
 * The erasure outbox: notices are written in the erasure's transaction and delivered
 * afterwards, at least once, with exponential back-off, so a recipient that is down
 * is told later rather than never. Workers claim due notices with a lease
 * (FOR UPDATE SKIP LOCKED), so several gateways can drain the same outbox.
 */
export class ErasureOutbox {
  constructor(
    private readonly db: FeatureDb,
    private readonly transport: ErasureTransport = httpTransport,
    private readonly options: OutboxOptions,
  ) {}

  /** Delivers the notices due at `now`; returns how many were delivered and failed. */
  async drain(now: Date = new Date(), limit = 50): Promise<{ delivered: number; retried: number; failed: number; manual: number }> {
    const leaseUntil = new Date(now.getTime() + 60_000);
    const claimed: Array<ErasureNotice & { attempts: number }> = (
      await this.db.query(
        `UPDATE erasure_notification n SET next_attempt_at = $2
           FROM recipient r
          WHERE r.id = n.recipient_id AND n.id IN (
                SELECT id FROM erasure_notification WHERE status = 'PENDING' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING n.id AS "notificationId", n.request_id AS "requestId", n.customer_id AS "customerId",
                    n.recipient_id AS "recipientId", r.name AS "recipientName", r.notification_url AS url, n.attempts`,
        [now, leaseUntil, limit],
      )
    )[0] ?? [];
    const result = { delivered: 0, retried: 0, failed: 0, manual: 0 };
    for (const notice of claimed) {
      if (!notice.url) {
        // nowhere to send it: the privacy office notifies this recipient by hand
        await this.db.query(`UPDATE erasure_notification SET status = 'MANUAL', last_error = 'recipient has no notification endpoint' WHERE id = $1`, [
          notice.notificationId,
        ]);
        result.manual++;
        continue;
      }
      const attempts = notice.attempts + 1;
      try {
        await this.transport(notice);
        await this.db.query(`UPDATE erasure_notification SET status = 'DELIVERED', attempts = $2, delivered_at = $3, last_error = NULL WHERE id = $1`, [
          notice.notificationId,
          attempts,
          now,
        ]);
        result.delivered++;
      } catch (error) {
        const message = String((error as Error).message ?? error).slice(0, 500);
        const giveUp = attempts >= this.options.maxAttempts;
        const next = new Date(now.getTime() + this.options.retryBaseMs * 2 ** (attempts - 1));
        await this.db.query(
          `UPDATE erasure_notification SET status = $2, attempts = $3, last_error = $4, next_attempt_at = $5 WHERE id = $1`,
          [notice.notificationId, giveUp ? "FAILED" : "PENDING", attempts, message, next],
        );
        if (giveUp) {
          logger.error({ notification: notice.notificationId, recipient: notice.recipientId }, "erasure notice failed for good");
          result.failed++;
        } else result.retried++;
      }
    }
    return result;
  }

  /** Drains every `intervalMs` until stopped (the gateway runs one). */
  start(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => {};
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.drain()
        .catch((error) => logger.warn({ err: error }, "erasure outbox drain failed"))
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
