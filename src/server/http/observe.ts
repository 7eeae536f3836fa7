import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { NextFunction, Request, Response } from "express";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import { requestDuration, responsesTotal } from "../../observability/metrics";
import { newRecord, requestIdFrom, type RequestOutcome, type RequestRecord } from "./request-record";

/**
 * The first middleware of /graphql: the request's id (the caller's `X-Request-Id` if it is a
 * plain token, else a new one), echoed in the response header at once so even an error
 * answered by Express carries it; the record the rest of the request fills in (client,
 * purpose, outcome); when the answer is sent, the duration histogram and the outcome count;
 * with tracing on, one server span per request (parented on an incoming `traceparent`).
 */
export function observeRequests(options: { tracing: boolean }) {
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
    res.once("finish", () => {
      const outcome = outcomeOf(record, res.statusCode, req.method);
      const seconds = Number(process.hrtime.bigint() - record.startedAt) / 1e9;
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

/**
 * One structured log line per request, through pino-http: request id, client, purpose,
 * outcome, status and duration. Never a header (the API key), never the query string or the
 * body (documents and variables may hold personal values).
 */
export function requestLog(logger: Logger) {
  return pinoHttp<Request, Response>({
    logger,
    wrapSerializers: false,
    genReqId: (req) => req.record?.requestId ?? "unknown",
    quietReqLogger: true,
    customAttributeKeys: { reqId: "requestId" },
    quietResLogger: true,
    serializers: { req: (req: Request) => ({ method: req.method, path: req.baseUrl + req.path }) },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "info"),
    customSuccessObject: (req, res, value: { responseTime: number }) => line(req, res, value.responseTime),
    customErrorObject: (req, res, _err, value: { responseTime: number }) => line(req, res, value.responseTime),
    customSuccessMessage: () => "request",
    customErrorMessage: () => "request failed",
  });
}

function line(req: Request, res: Response, durationMs: number) {
  const record = req.record;
  return {
    method: req.method,
    path: req.baseUrl + (req.path === "/" ? "" : req.path),
    client: record?.client ?? null,
    purpose: record?.purpose ?? null,
    outcome: record ? outcomeOf(record, res.statusCode, req.method) : null,
    status: res.statusCode,
    durationMs,
  };
}
