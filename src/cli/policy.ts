import "reflect-metadata";
import { readFileSync } from "node:fs";
import { Command } from "commander";
import type { DataSource } from "typeorm";
import { AgreementRegistry } from "../features/consent/agreement-registry";
import { cliSettings, withStore as withOpenStore } from "./cli-settings";
import { readFieldPolicy } from "../kernel/gate/field-policy";
import { INITIAL_VERSION, recordInitialVersion } from "../features/policy/bootstrap";
import { snapshotOf, type FieldSnapshot } from "../features/policy/field-snapshot";
import { CURRENT, diffPolicies, formatDiff } from "../features/policy/policy-diff";
import { PolicyStore } from "../features/policy/policy-store";
import { buildGatewaySchema } from "../app/schema/build-schema";

/**
 * `npm run policy -- <command>`: the versioned agreement (Section 5).
 *   list [--json]                                   every version: effective date, status, hash, summary
 *   show <version>                                  one version's purposes, grounds and full text
 *   diff <from> <to> [--json]                       per purpose, fields that became reachable/unreachable,
 *                                                   and the consents that need renewing; `current` = the running code
 *   template [--from <version>]                     the text of the version in force, to edit into the next one
 *   publish <version> --text <file> --summary <s> [--effective <ISO date>] [--dry-run]
 *                                                   records a new version: the text, its hash, and the
 *                                                   running schema's field policy as its snapshot
 *   agreement add <key> --title <t> [--description <d>] | agreement list [--json] | agreement retire <key>
 */
const settings = cliSettings();
const withDb = <T>(work: (db: DataSource) => Promise<T>): Promise<T> =>
  withOpenStore(settings, async (store) => {
    // the history always starts with the first version, as the gateway records it at start-up
    if (await recordInitialVersion(store.db, async () => readFieldPolicy(await buildGatewaySchema()))) {
      process.stderr.write(`recorded the first policy version ${INITIAL_VERSION.version}\n`);
    }
    return work(store.db);
  });

async function currentSnapshot(): Promise<FieldSnapshot> {
  return snapshotOf(readFieldPolicy(await buildGatewaySchema()));
}

const out = (text: string) => void process.stdout.write(text);
const ROLLBACK = Symbol("dry run");
const day = (d: Date) => d.toISOString().replace(".000Z", "Z");

const program = new Command("policy").description("The versioned Personal Information Handling Agreement.").exitOverride();

program
  .command("list")
  .description("list the published versions, oldest first")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const versions = await withDb((db) => new PolicyStore(db).list());
    const now = Date.now();
    const inForce = [...versions].reverse().find((v) => v.effectiveAt.getTime() <= now)?.version;
    const status = (v: (typeof versions)[number]) =>
      v.version === inForce ? "in force" : v.effectiveAt.getTime() > now ? "upcoming" : "superseded";
    if (options.json) {
      return out(
        JSON.stringify(
          versions.map((v) => ({
            version: v.version,
            effectiveAt: v.effectiveAt,
            publishedAt: v.publishedAt,
            status: status(v),
            textSha256: v.textSha256,
            changeSummary: v.changeSummary,
            restrictedFields: Object.keys(v.fieldPolicy).length,
          })),
          null,
          2,
        ) + "\n",
      );
    }
    for (const v of versions)
      out(`${v.version.padEnd(12)} ${day(v.effectiveAt)}  ${status(v).padEnd(10)}  ${v.textSha256.slice(0, 12)}…  ${v.changeSummary}\n`);
  });

program
  .command("show <version>")
  .description("print one version: purposes, grounds and the full text")
  .action(async (version: string) => {
    const v = await withDb((db) => new PolicyStore(db).get(version));
    if (!v) throw new Error(`no policy version "${version}"`);
    out(
      `version ${v.version}, effective ${day(v.effectiveAt)}, published ${day(v.publishedAt)}\nsha256 ${v.textSha256}\n${v.changeSummary}\n\n`,
    );
    for (const p of v.purposes) out(`  ${p.clause} ${p.purpose}: ${p.text}\n`);
    for (const g of v.grounds) out(`  ${g.clause} ${g.text}\n`);
    out(`\n${v.text}\n`);
  });

program
  .command("diff <from> <to>")
  .description(`compare two versions (a stored version or "${CURRENT}")`)
  .option("--json", "machine-readable output")
  .action(async (from: string, to: string, options: { json?: boolean }) => {
    const diff = await withDb((db) => diffPolicies(db, from, to, currentSnapshot));
    out(options.json ? JSON.stringify(diff, null, 2) + "\n" : formatDiff(diff));
  });

program
  .command("publish <version>")
  .description("record a new version from a text file and the running schema's field policy")
  .requiredOption("--text <file>", "the full text of the agreement (UTF-8)")
  .requiredOption("--summary <text>", "the change announcement (shown on the website)")
  .option("--effective <date>", "when it takes effect (ISO 8601; default now). Announce changes before they take effect.")
  .option("--dry-run", "check everything and show what would be recorded, and record nothing")
  .action(async (version: string, options: { text: string; summary: string; effective?: string; dryRun?: boolean }) => {
    const effectiveAt = options.effective ? new Date(options.effective) : new Date();
    if (Number.isNaN(effectiveAt.getTime())) throw new Error(`invalid --effective "${options.effective}"`);
    // the past is what customers were told: a new version never takes effect retroactively
    if (effectiveAt.getTime() < Date.now() - 60_000)
      throw new Error("--effective is in the past: a new version cannot take effect retroactively");
    const text = readFileSync(options.text, "utf8");
    const fieldPolicy = await currentSnapshot();
    const input = { version, effectiveAt, text, changeSummary: options.summary, fieldPolicy };
    if (options.dryRun) {
      // the very checks of a publication, in a transaction that is rolled back
      const { published, diff } = await withDb(async (db) => {
        const inForce = await new PolicyStore(db).inForce();
        const diff = inForce ? formatDiff(await diffPolicies(db, inForce.version, CURRENT, currentSnapshot)) : "";
        let published: Awaited<ReturnType<PolicyStore["publish"]>> | null = null;
        await db
          .transaction(async (manager) => {
            published = await new PolicyStore(manager).publish(input);
            throw ROLLBACK;
          })
          .catch((error) => {
            if (error !== ROLLBACK) throw error;
          });
        return { published: published!, diff };
      });
      out(
        `dry run: ${published.version} could be published, effective ${day(published.effectiveAt)}\nsha256 ${published.textSha256}\n` +
          `field policy: ${Object.keys(published.fieldPolicy).length} restricted fields\nnothing was recorded\n${diff ? `\n${diff}` : ""}`,
      );
      return;
    }
    const published = await withDb((db) => new PolicyStore(db).publish(input));
    out(
      `published ${published.version}, effective ${day(published.effectiveAt)}\nsha256 ${published.textSha256}\n` +
        `field policy: ${Object.keys(published.fieldPolicy).length} restricted fields\n`,
    );
  });

program
  .command("template")
  .description("print the text of the version in force (or --from <version>), to edit into the next version's text")
  .option("--from <version>", "start from this stored version")
  .action(async (options: { from?: string }) => {
    const base = await withDb((db) => (options.from ? new PolicyStore(db).get(options.from) : new PolicyStore(db).inForce()));
    if (!base) throw new Error(options.from ? `no policy version "${options.from}"` : "no policy version is in force");
    process.stderr.write(
      `# the text of ${base.version}: edit it, keep Section 1 listing exactly the purposes 1.1–1.7 (publish checks it), then\n` +
        `#   npm run policy -- publish <version> --text <file> --summary "…" --effective <date> --dry-run\n`,
    );
    out(base.text.endsWith("\n") ? base.text : `${base.text}\n`);
  });

const agreement = program.command("agreement").description("individual agreements (agreement 1.7)");

agreement
  .command("add <key>")
  .description("register an individual agreement customers can be asked for")
  .requiredOption("--title <text>", "short title, shown to customers")
  .option("--description <text>", "what the customer agrees to", "")
  .action(async (key: string, options: { title: string; description: string }) => {
    const added = await withDb((db) => new AgreementRegistry(db).register({ key, title: options.title, description: options.description }));
    out(`registered ${added.key} ("${added.title}") under policy version ${added.introducedIn}\n`);
  });

agreement
  .command("list")
  .description("list individual agreements")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const list = await withDb((db) => new AgreementRegistry(db).list());
    if (options.json) return out(JSON.stringify(list, null, 2) + "\n");
    for (const a of list)
      out(
        `${a.key.padEnd(24)} ${a.retiredAt ? `retired ${day(a.retiredAt)}` : "active".padEnd(28)}  since ${a.introducedIn}  ${a.title}\n`,
      );
  });

agreement
  .command("retire <key>")
  .description("retire an agreement: operations naming it are refused from the next request")
  .action(async (key: string) => {
    const retired = await withDb((db) => new AgreementRegistry(db).retire(key));
    if (!retired) throw new Error(`no active agreement "${key}"`);
    out(`retired ${retired.key}\n`);
  });

program.parseAsync(process.argv).catch((error: Error & { code?: string }) => {
  if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
