import type { FeatureDb } from "../../kernel/store/feature-db";
import { logger } from "../../observability/logger";
import { signNotice, type NoticeSigning } from "./erasure-signature";

export interface ErasureNotice {
  notificationId: string;
  requestId: string;
  customerId: string;
  recipientId: string;
  recipientName: string;
  url: string;
}

/** Delivers one notice; throws to have it retried. Must give up when `signal` aborts. */
export type ErasureTransport = (notice: ErasureNotice, signal: AbortSignal) => Promise<void>;

/**
 * POSTs the notice as JSON to the recipient's endpoint, signed (HMAC-SHA256 over the exact
 * body, erasure-signature.ts); any non-2xx answer is a failure. Without a signing key nothing
 * is sent: the notice stays pending (and says why) until one is configured.
 */
export function httpTransport(signing: NoticeSigning | null): ErasureTransport {
  return async (notice, signal) => {
    if (!signing) throw new Error("not sent: no signing key (set ERASURE_HMAC_SECRET or ERASURE_HMAC_SECRET_FILE)");
    const { body, headers } = signNotice(notice, signing, new Date());
    const res = await fetch(notice.url, { method: "POST", headers, body, signal, redirect: "error" });
    await res.body?.cancel().catch(() => {});
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };
}

export interface OutboxOptions {
  maxAttempts: number;
  /** first retry after this; each further retry waits twice as long */
  retryBaseMs: number;
  /** a delivery is abandoned (and retried later) after this */
  deliveryTimeoutMs: number;
  /** how long a claimed notice is no one else's: longer than a delivery and its record */
  leaseMs: number;
}

/** `leaseUntil` as PostgreSQL's text (microseconds kept: it is compared for equality) */
type Claimed = ErasureNotice & { attempts: number; leaseUntil: string };

/**
 * The erasure outbox: notices are written in the erasure's transaction and delivered
 * afterwards, at least once, with exponential back-off, so a recipient that is down is told
 * later rather than never. Several gateways drain the same outbox: a worker claims ONE due
 * notice at a time (FOR UPDATE SKIP LOCKED) with a lease that outlives the delivery's hard
 * timeout, so no other worker can claim it while it is being delivered, and records the
 * outcome only while its lease is still the one on the row. Time is the database's clock
 * (one clock for all gateways) unless a test passes `now`.
 */
export class ErasureOutbox {
  private readonly transport: ErasureTransport;

  constructor(
    private readonly db: FeatureDb,
    transport: ErasureTransport | undefined,
    private readonly options: OutboxOptions,
  ) {
    if (options.leaseMs <= options.deliveryTimeoutMs) throw new Error("the outbox lease must outlive a delivery");
    this.transport = transport ?? httpTransport(null);
  }

  /** Delivers the notices due at `now` (default: the database's clock), at most `limit`. */
  async drain(now?: Date, limit = 50): Promise<{ delivered: number; retried: number; failed: number; manual: number }> {
    const result = { delivered: 0, retried: 0, failed: 0, manual: 0 };
    for (let i = 0; i < limit; i++) {
      const notice = await this.claim(now);
      if (!notice) break;
      result[await this.deliver(notice, now)]++;
    }
    return result;
  }

  private async claim(now: Date | undefined): Promise<Claimed | null> {
    const [rows] = await this.db.query(
      `WITH clock AS (SELECT coalesce($1::timestamptz, statement_timestamp()) AS now)
       UPDATE erasure_notification n SET next_attempt_at = clock.now + make_interval(secs => $2::double precision / 1000)
         FROM recipient r, clock
        WHERE r.id = n.recipient_id AND n.id = (
              SELECT id FROM erasure_notification, clock WHERE status = 'PENDING' AND next_attempt_at <= clock.now
               ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING n.id AS "notificationId", n.request_id AS "requestId", n.customer_id AS "customerId",
                  n.recipient_id AS "recipientId", r.name AS "recipientName", r.notification_url AS url, n.attempts,
                  n.next_attempt_at::text AS "leaseUntil"`,
      [now ?? null, this.options.leaseMs],
    );
    return (rows?.[0] as Claimed | undefined) ?? null;
  }

  private async deliver(notice: Claimed, now: Date | undefined): Promise<"delivered" | "retried" | "failed" | "manual"> {
    if (!notice.url) {
      // nowhere to send it: the privacy office notifies this recipient by hand
      await this.record(notice, `status = 'MANUAL', last_error = 'recipient has no notification endpoint'`, []);
      return "manual";
    }
    const attempts = notice.attempts + 1;
    try {
      await this.withTimeout(notice);
      await this.record(
        notice,
        `status = 'DELIVERED', attempts = $3, delivered_at = coalesce($4::timestamptz, statement_timestamp()), last_error = NULL`,
        [attempts, now ?? null],
      );
      return "delivered";
    } catch (error) {
      const message = String((error as Error).message ?? error).slice(0, 500);
      const giveUp = attempts >= this.options.maxAttempts;
      const delayMs = this.options.retryBaseMs * 2 ** (attempts - 1);
      await this.record(
        notice,
        `status = $3, attempts = $4, last_error = $5,
         next_attempt_at = coalesce($6::timestamptz, statement_timestamp()) + make_interval(secs => $7::double precision / 1000)`,
        [giveUp ? "FAILED" : "PENDING", attempts, message, now ?? null, delayMs],
      );
      if (giveUp) {
        logger.error({ notification: notice.notificationId, recipient: notice.recipientId }, "erasure notice failed for good");
        return "failed";
      }
      return "retried";
    }
  }

  /** The transport, given up on at the delivery timeout whether or not it listens to its signal. */
  private async withTimeout(notice: Claimed): Promise<void> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${this.options.deliveryTimeoutMs} ms`));
      }, this.options.deliveryTimeoutMs);
    });
    try {
      await Promise.race([this.transport(notice, controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records an outcome, only while the lease we took is still the row's (fencing). */
  private async record(notice: Claimed, set: string, params: unknown[]): Promise<void> {
    const [, updated] = await this.db.query(
      `UPDATE erasure_notification SET ${set} WHERE id = $1 AND status = 'PENDING' AND next_attempt_at = $2::timestamptz`,
      [notice.notificationId, notice.leaseUntil, ...params],
    );
    if (!updated) logger.error({ notification: notice.notificationId }, "erasure notice: lease lost before its outcome was recorded");
  }

  /**
   * Drains every `intervalMs` until stopped (the gateway runs one). The returned stop waits
   * for a drain in progress, so a shutdown never cuts a delivery off between send and record.
   */
  start(intervalMs: number): () => Promise<void> {
    if (intervalMs <= 0) return async () => {};
    let running: Promise<void> | null = null;
    const timer = setInterval(() => {
      if (running) return;
      running = this.drain()
        .then(() => {})
        .catch((error) => logger.warn({ err: error }, "erasure outbox drain failed"))
        .finally(() => (running = null));
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}
