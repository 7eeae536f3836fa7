import type { NextFunction, Request, Response } from "express";
import { KernelCode } from "../../kernel/errors/catalogue";
import { storeFailuresTotal } from "../../observability/metrics";

declare module "express-serve-static-core" {
  interface Request {
    /** the deadline passed and the caller was answered 503: later work must not answer again */
    timedOut?: boolean;
  }
}

export const REQUEST_TIMEOUT_MESSAGE = "The request did not complete in time, so nothing was served. Try again later.";

/**
 * Every request is answered within `ms`: one still running then (a hung database, a stall)
 * gets 503 REQUEST_TIMEOUT with no data, and whatever it later produces is dropped. Its
 * audit event is still written by the audit trail when the work ends (recording what the
 * operation would have released: the trail may over-report, never under-report).
 */
export function requestDeadline(ms: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      req.timedOut = true;
      storeFailuresTotal.inc({ code: KernelCode.REQUEST_TIMEOUT });
      res
        .status(503)
        .set("retry-after", "1")
        .json({ errors: [{ message: REQUEST_TIMEOUT_MESSAGE, extensions: { code: KernelCode.REQUEST_TIMEOUT } }] });
    }, ms);
    timer.unref();
    // "close" follows every answer (after "finish") and every client that went away
    res.once("close", () => clearTimeout(timer));
    next();
  };
}
