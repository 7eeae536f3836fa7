import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { requestDuration, responsesTotal } from "../../observability/metrics";
import { newRecord, requestIdFrom, type RequestOutcome, type RequestRecord } from "./request-record";

/**
 * The first middleware of /graphql: the request's id (the caller's `X-Request-Id` if it is a
 * plain token, else a new one), echoed in the response header at once so even an error
 * answered by Express carries it; the record the rest of the request fills in (client,
 * purpose, outcome); when the answer is sent, one log line, the duration histogram and the
 * outcome count; with tracing on, one server span per request (parented on an incoming
 * `traceparent`).
 *
 * The log line: request id, client, purpose, outcome, status and duration. Never a header
 * (the API key), never the query string or the body (documents and variables may hold
 * personal values). Written here, from the one listener the metrics need anyway, rather than
 * by pino-http, whose per-request child logger and listeners cost more than the line itself.
 */
export function observeRequests(options: { tracing: boolean; logger: Logger }) {
  const { logger } = options;
  const tracer = options.tracing ? trace.getTracer("purpose-gateway") : null;
  return (req: Request, res: Response, next: NextFunction) => {
    const record = newRecord(requestIdFrom(req.headers["x-request-id"]));
    req.record = record;
    res.setHeader("x-request-id", record.requestId);
    let span: Span | null = null;
    if (tracer) {
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      span = tracer.startSpan(
        `${req.method} /graphql`,
        { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method, "pgw.request_id": record.requestId } },
        parent,
      );
    }
    // "close" comes after the answer is sent, or when the client went away before it was
    res.once("close", () => {
      const finished = res.writableFinished;
      const outcome = finished ? outcomeOf(record, res.statusCode, req.method) : "aborted";
      const seconds = Number(process.hrtime.bigint() - record.startedAt) / 1e9;
      const line = {
        requestId: record.requestId,
        method: req.method,
        path: req.baseUrl + (req.path === "/" ? "" : req.path),
        client: record.client ?? null,
        purpose: record.purpose ?? null,
        outcome,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e6) / 1e3,
      };
      if (!finished) logger.warn(line, "request aborted");
      else if (res.statusCode >= 500) logger.error(line, "request failed");
      else logger.info(line, "request");
      requestDuration.observe({ purpose: record.purpose ?? "NONE", outcome }, seconds);
      responsesTotal.inc({ outcome, status: String(res.statusCode) });
      if (span) {
        span.setAttributes({
          "http.response.status_code": res.statusCode,
          "pgw.outcome": outcome,
          "pgw.purpose": record.purpose ?? "NONE",
          ...(record.client ? { "pgw.client": record.client } : {}),
        });
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
    if (span) context.with(trace.setSpan(context.active(), span), next);
    else next();
  };
}

/** What the request came to, when nothing along the way said (Express's own answers). */
export function outcomeOf(record: RequestRecord, status: number, method: string): RequestOutcome {
  // the audit trail withholds an answer after the gate decided: the status says so
  if (status === 503) return "withheld";
  if (status >= 500) return "error";
  if (record.outcome) return record.outcome;
  if (method === "OPTIONS") return "preflight";
  if (status === 401) return "unauthenticated";
  if (status >= 400) return "bad_request";
  return "allowed";
}
