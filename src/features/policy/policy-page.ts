import type { FeatureDb } from "../../kernel/store/feature-db";
import type { FeaturePage } from "../../kernel/feature";
import { PolicyReader, type PublishedVersion } from "./policy-reader";
import { VERSION_PATTERN } from "./policy-store";

/**
 * The public policy page (Section 5: changes "announced on the website"): `/policy` shows
 * the version in force, the announced ones and the change log; `/policy/<version>` any
 * published version, so an announcement can link the exact text a customer was shown.
 * Rendered from the stored versions on each visit; plain HTML, no script, no outside asset.
 */
export function policyPages(db: FeatureDb): FeaturePage[] {
  const versions = () => new PolicyReader(db, "NONE").versions();
  return [
    {
      path: "/policy",
      async render() {
        const all = await versions();
        const current = all.find((v) => v.status === "IN_FORCE") ?? null;
        return { type: "text/html; charset=utf-8", body: page(all, current, "current") };
      },
    },
    {
      path: "/policy/:version",
      async render({ version }) {
        if (!VERSION_PATTERN.test(version)) return null;
        const all = await versions();
        const shown = all.find((v) => v.version === version);
        return shown ? { type: "text/html; charset=utf-8", body: page(all, shown, "version") } : null;
      },
    },
  ];
}

const STATUS_LABEL: Record<PublishedVersion["status"], string> = { IN_FORCE: "in force", UPCOMING: "announced", SUPERSEDED: "superseded" };

function page(all: PublishedVersion[], shown: PublishedVersion | null, mode: "current" | "version"): string {
  const upcoming = all.filter((v) => v.status === "UPCOMING");
  const title = shown ? `Personal Information Handling Agreement, version ${shown.version}` : "Personal Information Handling Agreement";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
  .status { display: inline-block; padding: 0 .5rem; border-radius: .3rem; background: #e8f0fe; font-size: .9rem; }
  .announce { background: #fff8e1; border: 1px solid #f0c36d; padding: .75rem 1rem; border-radius: .3rem; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #eee; }
  pre { white-space: pre-wrap; background: #fafafa; border: 1px solid #eee; padding: 1rem; }
  code { font-size: .9em; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${
  upcoming.length
    ? `<section class="announce" id="announced"><strong>Announced changes</strong><ul>${upcoming
        .map(
          (v) =>
            `<li><a href="/policy/${esc(v.version)}">Version ${esc(v.version)}</a> takes effect on <time datetime="${v.effectiveAt.toISOString()}">${esc(day(v.effectiveAt))}</time>: ${esc(v.changeSummary)}</li>`,
        )
        .join("")}</ul></section>`
    : ""
}
${shown ? versionSection(shown, mode) : `<p>No version of the agreement is in force yet.</p>`}
<h2 id="changes">Change log</h2>
<table>
<thead><tr><th>Version</th><th>Effective</th><th>Status</th><th>Changes</th></tr></thead>
<tbody>
${[...all]
  .reverse()
  .map(
    (v) =>
      `<tr id="v-${esc(v.version)}"><td><a href="/policy/${esc(v.version)}">${esc(v.version)}</a></td><td><time datetime="${v.effectiveAt.toISOString()}">${esc(day(v.effectiveAt))}</time></td><td>${STATUS_LABEL[v.status]}</td><td>${esc(v.changeSummary)}${
        v.changedClauses.length ? `<br><small>clauses changed: ${v.changedClauses.map(esc).join(", ")}</small>` : ""
      }</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>
</body>
</html>
`;
}

function versionSection(v: PublishedVersion, mode: "current" | "version"): string {
  return `<p><span class="status" data-status="${v.status}">${STATUS_LABEL[v.status]}</span>
 Version <strong id="version">${esc(v.version)}</strong>, effective <time datetime="${v.effectiveAt.toISOString()}">${esc(day(v.effectiveAt))}</time>.
 ${mode === "current" ? `Permanent link: <a href="/policy/${esc(v.version)}">/policy/${esc(v.version)}</a>.` : `<a href="/policy">The version in force</a>.`}
 <br><small>SHA-256 of the text: <code>${esc(v.textSha256)}</code></small></p>
<h2 id="purposes">Section 1: purposes of use</h2>
<table><tbody>
${v.purposes.map((p) => `<tr><td>${esc(p.clause)}</td><td><code>${esc(p.purpose)}</code></td><td>${esc(p.text)}</td></tr>`).join("\n")}
</tbody></table>
<h2 id="grounds">Section 3: disclosure to third parties</h2>
<table><tbody>
${v.grounds.map((g) => `<tr><td>${esc(g.clause)}</td><td>${esc(g.text)}</td></tr>`).join("\n")}
</tbody></table>
<h2 id="text">Full text</h2>
<pre>${esc(v.text)}</pre>`;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
