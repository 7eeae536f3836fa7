/** What of an error goes into a log line. */
export interface SafeError {
  type: string;
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  stack?: string;
  cause?: SafeError;
}

const MAX_MESSAGE = 300;

/**
 * An error as it may be logged: its class, message (truncated), SQLSTATE or system code, the
 * constraint or table it names, its stack, and its cause. Never the statement's parameters
 * (TypeORM's QueryFailedError carries them: a failed audit batch holds every event of the
 * batch), the row a constraint rejected (pg's `detail`), or the statement text.
 */
export function safeError(error: unknown, depth = 0): SafeError | unknown {
  if (!error || typeof error !== "object") return error;
  const e = error as Record<string, unknown> & { driverError?: Record<string, unknown> };
  const driver = (e.driverError ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
  const out: SafeError = {
    type: (e.constructor as { name?: string } | undefined)?.name ?? "Error",
    message: String(e.message ?? "").slice(0, MAX_MESSAGE),
  };
  const code = text(e.code) ?? text(driver.code);
  if (code) out.code = code;
  const constraint = text(e.constraint) ?? text(driver.constraint);
  if (constraint) out.constraint = constraint;
  const table = text(e.table) ?? text(driver.table);
  if (table) out.table = table;
  // frames only: the stack's first line repeats the message in full
  if (typeof e.stack === "string") out.stack = e.stack.split("\n").slice(1, 12).join("\n");
  if (e.cause && depth < 3) out.cause = safeError(e.cause, depth + 1) as SafeError;
  return out;
}
