/**
 * Is this error the store being unreachable, slow or restarting (as opposed to a bug or a bad
 * statement)? Those become 503 STORE_UNAVAILABLE: the caller may retry, an operator looks at
 * the database. Looks through TypeORM's and GraphQL's wrappers to the driver's error.
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error as Wrapped | undefined, depth = 0; e && depth < 5; depth++) {
    if (isUnavailable(e)) return true;
    e = e.originalError ?? e.driverError ?? e.cause;
  }
  return false;
}

interface Wrapped {
  code?: unknown;
  message?: unknown;
  originalError?: Wrapped;
  driverError?: Wrapped;
  cause?: Wrapped;
}

/**
 * SQLSTATEs that mean "the server cannot serve you now": connection exceptions (08), shutdown
 * and restart (57P01-57P04), a statement or lock timeout (57014, 55P03), too many connections
 * (53300), a full disk or an I/O error (53100, 58030).
 */
const SQLSTATE = /^(08...|57P0[1-4]|57014|55P03|53300|53100|58030)$/;
const NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOENT",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EACCES",
]);
const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /client was closed and is not queryable/i,
  /connection is not established/i,
  /Driver not Connected/i,
];

function isUnavailable(e: Wrapped): boolean {
  const code = typeof e.code === "string" ? e.code : "";
  if (SQLSTATE.test(code) || NODE_CODES.has(code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return MESSAGES.some((m) => m.test(message));
}
