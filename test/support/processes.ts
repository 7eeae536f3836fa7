import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "../..");
export const MAIN = path.join(root, "dist/src/main.js");
export const cliScript = (name: string) => path.join(root, `dist/src/cli/${name}.js`);

/** The environment of a spawned gateway or CLI: this process's, without its database, plus `env`. */
function environment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: undefined,
    PORT: "0",
    LOG_LEVEL: "info",
    ERASURE_OUTBOX_INTERVAL_MS: "0",
  };
  const merged = { ...base, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged;
}

export interface GatewayProcess {
  child: ChildProcess;
  /** the GraphQL URL, once the gateway logged that it is ready */
  ready: Promise<string>;
  /** the exit code (null when killed by a signal) and signal */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** every log line so far, parsed (non-JSON lines as { raw }) */
  lines: Array<Record<string, any>>;
  stderr(): string;
}

/** `node dist/src/main.js` as an operator starts it (`npm test` builds first). */
export function spawnGateway(env: Record<string, string | undefined>): GatewayProcess {
  const child = spawn(process.execPath, [MAIN], { env: environment(env), stdio: ["ignore", "pipe", "pipe"] });
  const lines: Array<Record<string, any>> = [];
  let err = "";
  let buffered = "";
  let onReady: (url: string) => void = () => {};
  let onFail: (error: Error) => void = () => {};
  const ready = new Promise<string>((resolve, reject) => ((onReady = resolve), (onFail = reject)));
  ready.catch(() => {});
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split("\n");
    buffered = complete.pop() ?? "";
    for (const line of complete) {
      if (!line.trim()) continue;
      let parsed: Record<string, any>;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = { raw: line };
      }
      lines.push(parsed);
      if (parsed.msg === "Purpose Gateway ready") onReady(String(parsed.url));
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      onFail(new Error(`gateway exited (${code ?? signal}) before it was ready: ${err.slice(0, 500)}`));
      resolve({ code, signal });
    }),
  );
  return { child, ready, exited, lines, stderr: () => err };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a compiled CLI with `env`; resolves with its exit code and output (never rejects). */
export function runCli(name: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliScript(name), ...args],
      { env: environment({ LOG_LEVEL: "silent", ...env }), timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** POSTs a GraphQL operation. */
export async function post(url: string, query: string, key?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body };
}
