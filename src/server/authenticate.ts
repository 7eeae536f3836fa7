import type { NextFunction, Request, Response } from "express";
import { hashApiKey } from "../clients/api-key";
import type { AuthenticationCache } from "../clients/authentication-cache";
import type { ClientRegistry } from "../clients/client-registry";
import type { Caller } from "../kernel/gate/governance-input";

declare module "express-serve-static-core" {
  interface Request {
    caller?: Caller | null;
  }
}

/**
 * `Authorization: Bearer <key>` → the API client, before GraphQL sees the request.
 * No header: an anonymous caller (public fields only). A bad, unknown or revoked key:
 * 401 straight away, so a wrong key never learns anything about the schema.
 */
export function authenticate(
  clients: ClientRegistry,
  cache?: AuthenticationCache,
  /** audits the refusal first; false when it could not (it has answered 503 itself) */
  recordRefusal?: (req: Request, res: Response) => Promise<boolean>,
) {
  const lookup = async (key: string): Promise<Caller | null> => {
    const keyHash = hashApiKey(key);
    const cached = cache?.get(keyHash);
    if (cached) return cached;
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
    const caller = match ? await lookup(match[1]).catch(next) : null;
    if (caller === undefined) return; // lookup failed: handed to the error handler
    if (!caller) {
      if (recordRefusal && !(await recordRefusal(req, res))) return;
      res.status(401).json({ errors: [{ message: "Invalid or revoked API key.", extensions: { code: "UNAUTHENTICATED" } }] });
      return;
    }
    req.caller = caller;
    next();
  };
}
