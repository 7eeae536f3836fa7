/** pino's numeric levels: warn 40, error 50, fatal 60. */
const WARN = 40;
const FATAL = 60;

export interface Suppressed {
  /** the message that repeated */
  repeated: string;
  /** how many times it was not logged */
  suppressed: number;
  /** over how long */
  intervalMs: number;
}

/**
 * One line per failure kind per interval: the first warning or error of a kind (its message
 * and its error's code) is logged; repeats within the interval are only counted, and the
 * count is logged when the interval ends (or with the next line of that kind). Fatal lines
 * and lines below warn always pass. An interval of 0 lets everything through.
 */
export class LogThrottle {
  intervalMs = 10_000;
  private readonly kinds = new Map<string, { since: number; suppressed: number }>();
  private timer: NodeJS.Timeout | null = null;
  private summarise: (summary: Suppressed) => void = () => {};
  private flushing = false;

  onSummary(summarise: (summary: Suppressed) => void): void {
    this.summarise = summarise;
  }

  /** The arguments to log (maybe with a count of earlier repeats), or null to drop the line. */
  admit(level: number, args: unknown[]): unknown[] | null {
    if (this.flushing || this.intervalMs <= 0 || level < WARN || level >= FATAL) return args;
    const kind = kindOf(args);
    const now = Date.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.since < this.intervalMs) {
      seen.suppressed++;
      this.schedule();
      return null;
    }
    this.kinds.set(kind, { since: now, suppressed: 0 });
    if (seen?.suppressed) return withCount(args, seen.suppressed, now - seen.since);
    return args;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Logs the counts of the kinds whose interval has ended. */
  private flush(): void {
    this.timer = null;
    const now = Date.now();
    this.flushing = true;
    try {
      for (const [kind, seen] of this.kinds) {
        if (now - seen.since < this.intervalMs) continue;
        this.kinds.delete(kind);
        if (seen.suppressed) this.summarise({ repeated: kind, suppressed: seen.suppressed, intervalMs: now - seen.since });
      }
    } finally {
      this.flushing = false;
    }
    if ([...this.kinds.values()].some((k) => k.suppressed > 0)) this.schedule();
  }
}

/** A line's kind: its message and the code (or class) of its error, never the error's text. */
function kindOf(args: unknown[]): string {
  const message = args.find((a) => typeof a === "string") ?? "";
  const fields = typeof args[0] === "object" && args[0] !== null ? (args[0] as Record<string, unknown>) : null;
  const err = (fields?.err ?? fields?.error ?? (args[0] instanceof Error ? args[0] : null)) as { code?: unknown; name?: unknown } | null;
  const code = err ? String(err.code ?? err.name ?? "") : "";
  return code ? `${message} [${code}]` : String(message);
}

function withCount(args: unknown[], suppressed: number, intervalMs: number): unknown[] {
  const extra = { suppressedBefore: suppressed, suppressedOverMs: intervalMs };
  if (typeof args[0] === "object" && args[0] !== null && !(args[0] instanceof Error))
    return [{ ...(args[0] as object), ...extra }, ...args.slice(1)];
  if (args[0] instanceof Error) return [{ err: args[0], ...extra }, ...args.slice(1)];
  return [extra, ...args];
}
