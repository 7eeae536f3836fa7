import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";

const run = promisify(execFile);

/**
 * Runs one of the compiled CLIs (`dist/src/cli/<name>.js`; `npm test` builds first) against
 * the test database, as a person would. Rejects on a non-zero exit, like execFile.
 */
export function cli(name: string) {
  const script = path.resolve(__dirname, `../../dist/src/cli/${name}.js`);
  const call = (...args: string[]) =>
    run(process.execPath, [script, ...args], { env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "silent" } });
  return Object.assign(call, { script });
}
