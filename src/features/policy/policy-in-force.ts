import type { FeatureDb } from "../../kernel/store/feature-db";
import { logger } from "../../observability/logger";

/** How often the effective dates are read again: a newly published version shows within this. */
export const POLICY_REFRESH_MS = 5_000;

/**
 * Which version of the agreement is in force, for the receipt on every answer, without a
 * query per request: the versions' effective dates are kept in memory and read again every
 * few seconds (a version published by the CLI, in another process, is seen within
 * POLICY_REFRESH_MS; it is announced ahead of its effective date, so in practice on time).
 * The version in force is the newest whose effective date has come, by this clock.
 */
export class PolicyInForce {
  private versions: Array<{ version: string; effectiveAt: number }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: FeatureDb) {}

  async start(): Promise<this> {
    await this.refresh();
    this.timer = setInterval(
      () => void this.refresh().catch((err) => logger.warn({ err }, "policy versions not refreshed")),
      POLICY_REFRESH_MS,
    );
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The version in force now, or null before the first takes effect. */
  current(now = Date.now()): string | null {
    let found: string | null = null;
    for (const v of this.versions) if (v.effectiveAt <= now) found = v.version;
    return found;
  }

  private async refresh(): Promise<void> {
    const rows: Array<{ version: string; effective_at: Date }> = await this.db.query(
      `SELECT version, effective_at FROM policy_version ORDER BY effective_at ASC`,
    );
    this.versions = rows.map((r) => ({ version: r.version, effectiveAt: new Date(r.effective_at).getTime() }));
  }
}
