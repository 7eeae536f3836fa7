#!/usr/bin/env node
// Fails when the source folders import each other in a cycle (graphql-js keeps its modules
// acyclic; we keep whole concerns acyclic). A folder is a unit of the layout: each
// src/kernel/<part>, each src/features/<feature>, and every other top folder of src/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new globalThis.URL(import.meta.url).pathname), "..");
const src = path.join(root, "src");
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith(".ts")) files.push(full);
  }
};
walk(src);

const unitOf = (file) => {
  const parts = path.relative(src, file).split(path.sep);
  if (parts[0] === "kernel" || parts[0] === "features") return parts.length > 2 ? `${parts[0]}/${parts[1]}` : `${parts[0]}/(root)`;
  return parts.length > 1 ? parts[0] : "(root)";
};

const edges = new Map();
for (const file of files) {
  const from = unitOf(file);
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']/g)) {
    const base = path.resolve(path.dirname(file), match[1]);
    if (!base.startsWith(src + path.sep)) continue;
    const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => files.includes(f));
    if (!target) continue;
    const to = unitOf(target);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${path.relative(root, file)} → ${match[1]}`);
  }
}

// Tarjan's strongly connected components
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
const units = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])];
const connect = (v) => {
  state.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!state.has(w)) {
      connect(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
  }
  if (state.get(v).low === state.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component);
  }
};
for (const unit of units) if (!state.has(unit)) connect(unit);

if (cycles.length) {
  for (const component of cycles) {
    console.error(`folder import cycle: ${component.sort().join(" ↔ ")}`);
    for (const from of component) {
      for (const [to, where] of edges.get(from) ?? []) if (component.includes(to)) console.error(`  ${from} → ${to}  (${where})`);
    }
  }
  process.exit(1);
}
console.log(`no folder import cycle among ${units.length} folders`);
