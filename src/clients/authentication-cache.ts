import { Client } from "pg";
import { logger } from "../observability/logger";
import { authCacheActive } from "../observability/metrics";
import type { Caller } from "../kernel/gate/governance-input";

const CHANNEL = "pgw_api_client_changed";

export interface AuthenticationCacheOptions {
  /** first reconnection delay after the listener is lost; doubles up to `maxRetryMs` */
  retryMs?: number;
  maxRetryMs?: number;
  /** how often the listener proves notifications still arrive (a silently dead connection) */
  heartbeatMs?: number;
  /** how long a probe notification may take to come back */
  probeTimeoutMs?: number;
}

/**
 * Remembers authenticated keys for a short time, so a request does not cost a database
 * round trip for its key. Safe only while revocations reach us: a trigger on api_client
 * NOTIFYs every change and this cache LISTENs. It is on only while a probe notification has
 * been seen to arrive on the listening connection; the moment that connection is lost (a
 * database restart) the cache is emptied and off, and it reconnects with back-off, LISTENs
 * again and proves notifications again before it remembers anything. A heartbeat probe
 * catches a connection that died silently. A database that never relays notifications
 * (embedded PGlite's socket server) leaves it off for good. An entry lives at most `ttlMs`.
 */
export class AuthenticationCache {
  private readonly entries = new Map<string, { caller: Caller; expiresAt: number }>();
  private listener: Client | null = null;
  private enabled = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private databaseUrl = "";
  private readonly options: Required<AuthenticationCacheOptions>;
  /** times the cache was (re)enabled (for tests and /metrics) */
  enabledCount = 0;

  constructor(
    private readonly ttlMs: number,
    options: AuthenticationCacheOptions = {},
  ) {
    this.options = { retryMs: 250, maxRetryMs: 10_000, heartbeatMs: 30_000, probeTimeoutMs: 1000, ...options };
    this.retryDelay = this.options.retryMs;
  }

  /** Starts listening; resolves once the first attempt is decided (on, off for good, or retrying). */
  async start(databaseUrl: string): Promise<void> {
    if (this.ttlMs <= 0) return;
    this.databaseUrl = databaseUrl;
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const listener = new Client({ connectionString: this.databaseUrl, keepAlive: true, connectionTimeoutMillis: 5000 });
    listener.on("error", () => this.lost(listener));
    listener.on("end", () => this.lost(listener));
    try {
      await listener.connect();
      await listener.query(`LISTEN ${CHANNEL}`);
      if (!(await this.probe(listener))) {
        logger.info("database does not relay notifications: authentication cache off");
        listener.removeAllListeners("end");
        await listener.end();
        return;
      }
    } catch (error) {
      logger.warn({ err: error, retryInMs: this.retryDelay }, "authentication cache off: cannot listen for client changes");
      listener.removeAllListeners("end");
      await listener.end().catch(() => {});
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await listener.end().catch(() => {});
      return;
    }
    listener.on("notification", () => this.entries.clear());
    this.listener = listener;
    this.entries.clear(); // changes made while we were not listening
    this.enabled = true;
    authCacheActive.set(1);
    this.enabledCount++;
    this.retryDelay = this.options.retryMs;
    if (this.enabledCount > 1) logger.info("authentication cache on again: notifications proven after a reconnection");
    this.heartbeat = setInterval(() => void this.beat(listener), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Sends a probe from a second connection and waits for it on the listener. */
  private async probe(listener: Client): Promise<boolean> {
    const token = `probe:${process.pid}:${Math.random().toString(36).slice(2)}`;
    const proven = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), this.options.probeTimeoutMs);
      const onNotification = (n: { payload?: string }) => n.payload === token && done(true);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        listener.removeListener("notification", onNotification);
        resolve(ok);
      };
      listener.on("notification", onNotification);
    });
    const sender = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5000 });
    sender.on("error", () => {});
    try {
      await sender.connect();
      await sender.query(`SELECT pg_notify($1, $2)`, [CHANNEL, token]);
    } finally {
      await sender.end().catch(() => {});
    }
    return proven;
  }

  private async beat(listener: Client): Promise<void> {
    if (listener !== this.listener) return;
    const ok = await this.probe(listener).catch(() => false);
    if (!ok && listener === this.listener) {
      logger.warn("authentication cache: heartbeat notification did not arrive, reconnecting");
      this.lost(listener);
      await listener.end().catch(() => {});
    }
  }

  /** The listening connection is gone: forget everything, stop caching, reconnect. */
  private lost(listener: Client): void {
    if (listener !== this.listener) return;
    this.listener = null;
    this.disable();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (!this.stopped) {
      logger.warn({ retryInMs: this.retryDelay }, "authentication cache off: lost the notification listener, reconnecting");
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.options.maxRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
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
    if (this.enabled) authCacheActive.set(0);
    this.enabled = false;
    this.entries.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const listener = this.listener;
    this.listener = null;
    this.disable();
    if (listener) {
      listener.removeAllListeners("end");
      await listener.end().catch(() => {});
    }
  }
}
