import { logger } from "../observability/logger";

/**
 * The gateway process's life: what it opened, in order, and how it ends. SIGTERM and SIGINT
 * (and nothing else: Apollo's own signal handling is off) stop it cleanly: the start-up is
 * let finish, then everything opened is closed in reverse order (the HTTP server drains its
 * in-flight requests, the features flush, the store closes and removes its lock and socket),
 * and the process exits 0. If that takes longer than `hardLimitMs` it exits 1 regardless.
 */
export class Lifecycle {
  private readonly opened: Array<{ name: string; close: () => Promise<void> }> = [];
  private startup: Promise<unknown> = Promise.resolve();
  private stopping: Promise<never> | null = null;

  constructor(
    private readonly hardLimitMs: number,
    private readonly exit: (code: number) => never = (code) => process.exit(code),
  ) {}

  /** Installs the signal handlers. */
  handleSignals(): this {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.on(signal, () => {
        if (this.stopping) logger.warn({ signal }, "already shutting down");
        else void this.stop(signal);
      });
    }
    return this;
  }

  /** Runs the start-up; a signal during it waits for it to end, then closes what it opened. */
  async start<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.startup = running.catch(() => {});
    return running;
  }

  /** Something to close at the end (closed in reverse order of opening). */
  own(name: string, close: () => Promise<void>): void {
    this.opened.push({ name, close });
  }

  get shuttingDown(): boolean {
    return this.stopping !== null;
  }

  stop(reason: string): Promise<never> {
    this.stopping ??= this.run(reason, 0);
    return this.stopping;
  }

  /** The start-up failed: close what it opened (no stale lock or socket), exit 1. */
  fail(error: unknown): Promise<never> {
    logger.fatal({ err: error }, "failed to start");
    this.startup = Promise.resolve();
    this.stopping ??= this.run("start-up failed", 1);
    return this.stopping;
  }

  private async run(reason: string, exitCode: number): Promise<never> {
    const started = Date.now();
    logger.info({ reason }, "shutting down");
    const hard = setTimeout(() => {
      logger.error({ afterMs: Date.now() - started }, "shutdown did not finish in time: exiting anyway");
      this.exit(1);
    }, this.hardLimitMs);
    hard.unref();
    await this.startup;
    let failed = false;
    for (const { name, close } of [...this.opened].reverse()) {
      try {
        await close();
        logger.info({ part: name }, "closed");
      } catch (error) {
        failed = true;
        logger.error({ err: error, part: name }, "could not close cleanly");
      }
    }
    clearTimeout(hard);
    logger.info({ ms: Date.now() - started }, failed ? "stopped, with errors" : "stopped");
    return this.exit(failed ? 1 : exitCode);
  }
}
