/** `/`: where a person who opens the gateway's address lands (instead of Express's 404). */
export function landingPage(ide: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Purpose Gateway</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{font-size:.9em}</style></head>
<body>
<h1>Purpose Gateway</h1>
<p>A GraphQL gateway that serves personal data only for the purposes of the Personal Information Handling Agreement.</p>
<ul>
<li>${ide ? `<a href="/graphql">GraphiQL</a> — explore the schema; each field lists the purposes it may be read for` : `<code>/graphql</code> — the GraphQL endpoint`}</li>
<li><a href="/policy">The published policy</a> — purposes, disclosure grounds, change log</li>
<li><a href="/healthz">/healthz</a>, <a href="/metrics">/metrics</a></li>
</ul>
</body></html>
`;
}
