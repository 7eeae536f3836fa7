import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * Logs, metrics and traces of every request. The log is read from the compiled gateway
 * (`node dist/src/main.js`, as `npm start` runs it) at LOG_LEVEL=info: one JSON line per request.
 */
let t: TestGateway;
let shop: string;
let gateway: ChildProcess;
let url: string;
const lines: any[] = [];
const SECRET = "Watanabe Secret";

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop-log", [Purpose.SERVICE_PROVISION]);
  await insertCustomer(t.db, { fullName: SECRET, email: "secret@example.jp" });
  gateway = spawn(process.execPath, [path.resolve(__dirname, "../../dist/src/main.js")], {
    env: { ...process.env, DATABASE_URL: inject("databaseUrl"), PORT: "0", LOG_LEVEL: "info", ERASURE_OUTBOX_INTERVAL_MS: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  url = await new Promise<string>((resolve, reject) => {
    gateway.once("exit", (code) => reject(new Error(`gateway exited with ${code}`)));
    createInterface({ input: gateway.stdout! }).on("line", (text) => {
      const line = JSON.parse(text);
      lines.push(line);
      if (line.msg === "Purpose Gateway ready") resolve(line.url);
    });
  });
});
afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway.once("exit", resolve));
    gateway.kill("SIGTERM");
    await exited;
  }
  await t?.stop();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify(body),
  });

async function lineOf(requestId: string) {
  for (let i = 0; i < 100; i++) {
    const found = lines.find((l) => l.requestId === requestId && l.msg?.startsWith("request"));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line for ${requestId}`);
}

describe("one structured log line per request", () => {
  it("names the request id, client, purpose, outcome, status and duration", async () => {
    const query = `query Q($f: CustomerFilter) @purpose(name: SERVICE_PROVISION) { customers(first: 5, filter: $f) { fullName email } }`;
    await post(
      { query, variables: { f: { emailDomain: "secret-domain.jp" } } },
      { authorization: `Bearer ${shop}`, "x-request-id": "log-ok-1" },
    );
    expect(await lineOf("log-ok-1")).toMatchObject({
      level: 30,
      requestId: "log-ok-1",
      client: "shop-log",
      purpose: "SERVICE_PROVISION",
      outcome: "allowed",
      status: 200,
      durationMs: expect.any(Number),
    });
  });

  it("logs refusals, bad keys and parse failures with their outcome", async () => {
    await post(
      { query: `query Q @purpose(name: SERVICE_PROVISION) { customers(first: 1) { birthDate } }` },
      { authorization: `Bearer ${shop}`, "x-request-id": "log-refused" },
    );
    await post({ query: `{ campaigns { name } }` }, { authorization: `Bearer pgw_wrong-key-value`, "x-request-id": "log-401" });
    await post({ query: `{ campaigns { name ` }, { "x-request-id": "log-parse" });
    expect(await lineOf("log-refused")).toMatchObject({ outcome: "refused", status: 403, purpose: "SERVICE_PROVISION" });
    expect(await lineOf("log-401")).toMatchObject({ outcome: "unauthenticated", status: 401, client: null });
    expect(await lineOf("log-parse")).toMatchObject({ outcome: "parse_failed", status: 400 });
  });

  it("logs a request whose client hung up before the answer as aborted", async () => {
    const { port, hostname } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    // a body announced but never sent: the gateway is still reading it when the client leaves
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 100\r\nx-request-id: log-aborted\r\n\r\n{"query":`,
    );
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    expect(await lineOf("log-aborted")).toMatchObject({ level: 40, outcome: "aborted", msg: "request aborted" });
  });

  it("never carries a personal value, a key, a header or a document", async () => {
    const text = JSON.stringify(lines);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("secret@example.jp");
    expect(text).not.toContain("secret-domain");
    expect(text).not.toContain(shop);
    expect(text).not.toContain("pgw_wrong-key-value");
    expect(text).not.toMatch(/authorization|birthDate|customers\(first/i);
  });
});

describe("metrics", () => {
  it("has a duration histogram by purpose and outcome, counting every outcome", async () => {
    const metrics = await (await fetch(url.replace(/\/graphql$/, "/metrics"))).text();
    const count = (labels: string) => {
      const match = new RegExp(`^pgw_http_request_duration_seconds_count\\{${labels}\\} (\\d+)`, "m").exec(metrics);
      return match ? Number(match[1]) : 0;
    };
    expect(count(`purpose="SERVICE_PROVISION",outcome="allowed"`)).toBeGreaterThanOrEqual(1);
    expect(count(`purpose="SERVICE_PROVISION",outcome="refused"`)).toBeGreaterThanOrEqual(1);
    expect(count(`purpose="NONE",outcome="unauthenticated"`)).toBeGreaterThanOrEqual(1);
    expect(count(`purpose="NONE",outcome="parse_failed"`)).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^pgw_http_request_duration_seconds_bucket\{le="0\.05",purpose="SERVICE_PROVISION",outcome="allowed"\} \d+/m);
    expect(metrics).toMatch(/^pgw_http_responses_total\{outcome="unauthenticated",status="401"\} \d+/m);
  });
});

describe("OpenTelemetry tracing (OTEL_TRACING=true)", () => {
  it("opens one server span per request, parented on the caller's traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const traced = await startTestGateway({ env: { OTEL_TRACING: "true" } });
    try {
      const key = await traced.client("traced", [Purpose.SERVICE_PROVISION]);
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      const res = await traced.gql(`query Q @purpose(name: SERVICE_PROVISION) { customers(first: 1) { id } }`, {
        key,
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-request-id": "traced-1" },
      });
      expect(res.status).toBe(200);
      const spans = exporter.getFinishedSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0].spanContext().traceId).toBe(traceId);
      expect(spans[0].attributes).toMatchObject({
        "pgw.request_id": "traced-1",
        "pgw.purpose": "SERVICE_PROVISION",
        "pgw.outcome": "allowed",
        "pgw.client": "traced",
        "http.response.status_code": 200,
      });
    } finally {
      await traced.stop();
      await provider.shutdown();
    }
  });
});
