import type { NextFunction, Request, Response } from "express";
import { hashApiKey } from "../clients/api-key";
import type { AuthenticationCache } from "../clients/authentication-cache";
import type { ClientRegistry } from "../clients/client-registry";
import type { Caller } from "../kernel/gate/governance-input";
import { isStoreUnavailable } from "../db/store-errors";
import { KernelCode } from "../kernel/errors/catalogue";
import { keyLookupsTotal, storeFailuresTotal } from "../observability/metrics";
import { STORE_UNAVAILABLE_MESSAGE } from "./operations/store-failure-plugin";

/** A request refused before GraphQL: its code and HTTP status, as the audit trail records them. */
export interface EarlyRefusal {
  code: string;
  status: number;
}
import "./http/request-record"; // Request.record

declare module "express-serve-static-core" {
  interface Request {
    caller?: Caller | null;
  }
}

/**
 * `Authorization: Bearer <key>` → the API client, before GraphQL sees the request.
 * No header: an anonymous caller (public fields only). A bad, unknown or revoked key:
 * 401 straight away, so a wrong key never learns anything about the schema. A key that
 * cannot be looked up because the store is down: 503 STORE_UNAVAILABLE (never a 500).
 */
export function authenticate(
  clients: ClientRegistry,
  cache?: AuthenticationCache,
  /** audits the refusal first; false when it could not (it has answered 503 itself) */
  recordRefusal?: (req: Request, res: Response, refusal: EarlyRefusal) => Promise<boolean>,
) {
  const lookup = async (key: string): Promise<Caller | null> => {
    const keyHash = hashApiKey(key);
    const cached = cache?.get(keyHash);
    if (cached) return cached;
    keyLookupsTotal.inc();
    const caller = await clients.authenticate(key);
    if (caller) cache?.set(keyHash, caller);
    return caller;
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      req.caller = null;
      return next();
    }
    const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header.trim());
    let caller: Caller | null;
    try {
      caller = match ? await lookup(match[1]) : null;
    } catch (error) {
      if (!isStoreUnavailable(error)) return next(error);
      if (req.timedOut) return;
      storeFailuresTotal.inc({ code: KernelCode.STORE_UNAVAILABLE });
      if (recordRefusal && !(await recordRefusal(req, res, { code: KernelCode.STORE_UNAVAILABLE, status: 503 }))) return;
      const body: Record<string, unknown> = {
        errors: [{ message: STORE_UNAVAILABLE_MESSAGE, extensions: { code: KernelCode.STORE_UNAVAILABLE } }],
      };
      if (res.locals.receipt) body.extensions = { governance: res.locals.receipt };
      res.status(503).set("retry-after", "1").json(body);
      return;
    }
    if (req.timedOut) return; // answered 503 already
    if (!caller) {
      if (req.record) req.record.outcome = "unauthenticated";
      if (recordRefusal && !(await recordRefusal(req, res, { code: KernelCode.UNAUTHENTICATED, status: 401 }))) return;
      // 401 whatever the media type: the key is HTTP's business, not the operation's
      res.setHeader("www-authenticate", 'Bearer realm="purpose-gateway", error="invalid_token"');
      const body: Record<string, unknown> = {
        errors: [{ message: "Invalid or revoked API key.", extensions: { code: "UNAUTHENTICATED" } }],
      };
      if (res.locals.receipt) body.extensions = { governance: res.locals.receipt };
      res.status(401).json(body);
      return;
    }
    req.caller = caller;
    if (req.record) req.record.client = caller.name;
    next();
  };
}
