import { Client } from "pg";
import { logger } from "../observability/logger";
import type { Caller } from "../kernel/gate/governance-input";

const CHANNEL = "pgw_api_client_changed";

/**
 * Remembers authenticated keys for a short time, so a request does not cost a database
 * round trip for its key. Safe only while revocations reach us: a trigger on api_client
 * NOTIFYs every change and this cache LISTENs. At start it proves that notifications
 * arrive; if they do not (embedded PGlite's socket server does not relay them), or the
 * listening connection drops, it stays disabled and every request looks its key up.
 * Even when enabled, an entry lives at most `ttlMs`.
 */
export class AuthenticationCache {
  private readonly entries = new Map<string, { caller: Caller; expiresAt: number }>();
  private listener: Client | null = null;
  private enabled = false;

  constructor(private readonly ttlMs: number) {}

  async start(databaseUrl: string): Promise<void> {
    if (this.ttlMs <= 0) return;
    const listener = new Client({ connectionString: databaseUrl });
    try {
      await listener.connect();
      await listener.query(`LISTEN ${CHANNEL}`);
      const proven = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 1000);
        listener.on("notification", (n) => {
          if (n.payload === "probe") {
            clearTimeout(timer);
            resolve(true);
          }
        });
      });
      const probe = new Client({ connectionString: databaseUrl });
      await probe.connect();
      await probe.query(`SELECT pg_notify($1, 'probe')`, [CHANNEL]);
      await probe.end();
      if (!(await proven)) {
        logger.info("database does not relay notifications: authentication cache off");
        await listener.end();
        return;
      }
    } catch (error) {
      logger.warn({ err: error }, "authentication cache off");
      await listener.end().catch(() => {});
      return;
    }
    listener.on("notification", () => this.entries.clear());
    listener.on("error", () => this.disable());
    listener.on("end", () => this.disable());
    this.listener = listener;
    this.enabled = true;
  }

  get(keyHash: string): Caller | null {
    if (!this.enabled) return null;
    const entry = this.entries.get(keyHash);
    if (!entry) return null;
    if (entry.expiresAt < Date.now()) {
      this.entries.delete(keyHash);
      return null;
    }
    return entry.caller;
  }

  set(keyHash: string, caller: Caller): void {
    if (this.enabled) this.entries.set(keyHash, { caller, expiresAt: Date.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }

  get active(): boolean {
    return this.enabled;
  }

  private disable(): void {
    this.enabled = false;
    this.entries.clear();
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.disable();
    this.listener = null;
    await listener?.end().catch(() => {});
  }
}
