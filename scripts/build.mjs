#!/usr/bin/env node
// `npm run build`: compiles with tsc and records when. With --if-stale (npm start, npm run
// demo) it compiles only when a source, the compiler settings or the installed packages
// changed since the last build: starting an up-to-date build takes no compile. --check only
// tells (exit 0 up to date, 3 stale).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stamp = path.join(root, "dist", ".build-stamp");
const inputs = ["src", "migrations", "bench", "tsconfig.json", "package.json", "package-lock.json"];

function newest(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file changes its folder
  for (const child of readdirSync(full)) latest = Math.max(latest, newest(path.join(entry, child)));
  return latest;
}

const fresh = () => existsSync(stamp) && inputs.every((entry) => newest(entry) <= statSync(stamp).mtimeMs);
// --check: exit 0 when the build is up to date, 3 when it is stale; compiles nothing
if (process.argv.includes("--check")) process.exit(fresh() ? 0 : 3);
if (process.argv.includes("--if-stale") && fresh()) process.exit(0);
const started = Date.now();
const tsc = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(root, "tsconfig.json")],
  { stdio: "inherit" },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
writeFileSync(stamp, new Date(started).toISOString() + "\n");
// dated when the compile started: a file saved during it makes the next start compile again
utimesSync(stamp, started / 1000, started / 1000);
