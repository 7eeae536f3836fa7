import { randomUUID } from "node:crypto";

/** What one HTTP request came to, for its log line, its metrics and its trace span. */
export type RequestOutcome =
  | "allowed"
  | "refused"
  | "unauthenticated"
  | "parse_failed"
  | "invalid"
  | "bad_request"
  | "withheld"
  | "error"
  | "preflight"
  /** the client went away before the answer was sent */
  | "aborted";

export interface RequestRecord {
  readonly requestId: string;
  /** process.hrtime.bigint() when the request arrived */
  readonly startedAt: bigint;
  /** the API client's name (never its key) */
  client: string | null;
  purpose: string | null;
  outcome: RequestOutcome | null;
}

declare module "express-serve-static-core" {
  interface Request {
    record?: RequestRecord;
  }
}

/**
 * A caller's `X-Request-Id` is kept when it is a plain token (so a frontend can correlate its
 * own logs with ours and with the audit trail); anything else (too long, spaces, quotes, an
 * `@`, …) is replaced by a fresh UUID, so no caller text that could be a personal value or a
 * log injection reaches the trail or the logs.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? undefined : header?.trim();
  return value && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

export function newRecord(requestId: string): RequestRecord {
  return { requestId, startedAt: process.hrtime.bigint(), client: null, purpose: null, outcome: null };
}
