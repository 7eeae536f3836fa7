import { existsSync } from "node:fs";
import path from "node:path";
import type { NextFunction, Request, Response, Router } from "express";
import express from "express";

/**
 * GraphiQL for people, served entirely from this gateway: GraphiQL's own prebuilt bundle
 * and React's UMD builds from node_modules, and the gateway's small page script. No CDN and
 * no other origin (the machines that run it have no internet; a page that loaded code from
 * elsewhere would also be a supply-chain hole): the Content-Security-Policy allows only
 * 'self', and a test loads the page with every other origin blocked.
 */
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const ASSETS: Record<string, { file: () => string; type: string }> = {
  "graphiql.min.js": { file: () => path.join(packageDir("graphiql"), "graphiql.min.js"), type: "text/javascript" },
  "graphiql.min.css": { file: () => path.join(packageDir("graphiql"), "graphiql.min.css"), type: "text/css" },
  "react.production.min.js": { file: () => path.join(packageDir("react"), "umd", "react.production.min.js"), type: "text/javascript" },
  "react-dom.production.min.js": {
    file: () => path.join(packageDir("react-dom"), "umd", "react-dom.production.min.js"),
    type: "text/javascript",
  },
  "ide.js": { file: () => ownAsset("ide.js"), type: "text/javascript" },
  "ide.css": { file: () => ownAsset("ide.css"), type: "text/css" },
};

/** The page script is not compiled: from dist/ it is read from the source tree beside it. */
function ownAsset(name: string): string {
  const candidates = [path.resolve(__dirname, "assets", name), path.resolve(__dirname, "../../../../src/server/ide/assets", name)];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`IDE asset ${name} not found (looked in ${candidates.join(", ")})`);
  return found;
}

export const IDE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // GraphiQL and CodeMirror set element styles at run time
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** A GET of /graphql by a browser (it prefers HTML and sends no operation) gets the IDE. */
export function wantsIde(req: Request): boolean {
  if (req.method !== "GET" || req.query.query !== undefined || req.query.extensions !== undefined) return false;
  return req.accepts(["application/graphql-response+json", "application/json", "text/html"]) === "text/html";
}

/** `/ide/<asset>`: the IDE's files, a fixed list (nothing else of node_modules is reachable). */
export function ideAssets(): Router {
  // resolved once at start: a missing package stops the start, not the first visitor
  const files = Object.fromEntries(Object.entries(ASSETS).map(([name, asset]) => [name, { path: asset.file(), type: asset.type }]));
  const router = express.Router();
  router.get("/ide/:asset", (req: Request, res: Response, next: NextFunction) => {
    const asset = files[String(req.params.asset)];
    if (!asset) return next();
    res.type(asset.type);
    res.setHeader("x-content-type-options", "nosniff");
    res.sendFile(asset.path, { maxAge: "1h" });
  });
  return router;
}

/**
 * The IDE page, as middleware on /graphql (not a route: a route would make Express answer
 * CORS preflights of /graphql itself, before the CORS middleware).
 */
export function idePage() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== "/" || !wantsIde(req)) return next();
    res.setHeader("content-security-policy", IDE_CSP);
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    res.type("html").send(IDE_PAGE);
  };
}

const IDE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Purpose Gateway — GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ide/graphiql.min.css">
<link rel="stylesheet" href="/ide/ide.css">
</head>
<body>
<header id="pgw-bar">
  <strong>Purpose Gateway</strong>
  <label>API key <input id="pgw-key" type="password" autocomplete="off" spellcheck="false" placeholder="pgw_…"></label>
  <span>Purpose: <output id="pgw-purpose">none declared</output></span>
  <span id="pgw-receipt" title="extensions.governance of the last answer">no answer yet</span>
  <a href="/policy" target="_blank" rel="noopener">policy</a>
</header>
<main id="graphiql">Loading GraphiQL…</main>
<script src="/ide/react.production.min.js"></script>
<script src="/ide/react-dom.production.min.js"></script>
<script src="/ide/graphiql.min.js"></script>
<script src="/ide/ide.js"></script>
</body>
</html>
`;
