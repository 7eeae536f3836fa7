import pino from "pino";
import { LogThrottle } from "./log-throttle";
import { safeError } from "./safe-error";

const throttle = new LogThrottle();

/**
 * Structured logs. Never log personal values: ids, coordinates and codes only. Errors are
 * logged through `safeError` (no SQL parameters, no row details: TypeORM and pg errors carry
 * them), and warnings and errors that repeat are logged once per interval with a count
 * (log-throttle.ts), so an outage costs a few lines, not one per request. The level and the
 * interval are set from the settings by whoever loads them: the gateway, the CLIs.
 *
 * Lines go to standard output asynchronously (pino's own buffered destination): a line per
 * request written with its own synchronous write cost the gateway a system call per
 * request; written this way, lines that arrive while one write is in flight go out together.
 * pino flushes what is left when the process exits and ignores a closed pipe (`| head`).
 */
export const logger = pino(
  {
    level: "info",
    base: { service: "purpose-gateway" },
    serializers: { err: safeError, error: safeError },
    hooks: {
      logMethod(args, method, level) {
        const allowed = throttle.admit(level, args as unknown[]);
        if (allowed) method.apply(this, allowed as Parameters<typeof method>);
      },
    },
  },
  pino.destination({ dest: 1, sync: false }),
);

throttle.onSummary((summary) => logger.warn(summary, "repeated log lines suppressed"));

/** Applies the log settings (LOG_LEVEL, LOG_THROTTLE_MS). */
export function configureLogging(options: { level: string; throttleMs: number }): void {
  logger.level = options.level;
  throttle.intervalMs = options.throttleMs;
}
