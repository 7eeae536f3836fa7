import "reflect-metadata";
import { Command } from "commander";
import { cliSettings, withStore as withOpenStore } from "./cli-settings";
import type { DataSource } from "typeorm";
import { searchAuditEvents } from "../features/audit/audit-queries";
import { verifyChain } from "../features/audit/verify-chain";
import { purgeExpiredDisclosures, searchDisclosures } from "../features/disclosure/ledger-queries";

/**
 * `npm run audit -- <command>`: the privacy officer's tools on the audit trail and ledger.
 *   verify [--json]                 walks the hash chain, names the first broken link (exit 1)
 *   events [--customer ID] [--client ID] [--purpose P] [--from T] [--to T] [--limit N] [--json]
 *   disclosures [--customer ID] [--recipient ID] [--from T] [--to T] [--limit N] [--json]
 *   purge-ledger                    deletes ledger records past their retention date
 */
const settings = cliSettings();
const withDb = <T>(work: (db: DataSource) => Promise<T>): Promise<T> => withOpenStore(settings, (store) => work(store.db));

const date = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${value}`);
  return d;
};
const limit = (value: string | undefined) => {
  const n = Number(value ?? 50);
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new Error("--limit must be 1 to 10000");
  return n;
};
const json = (value: unknown): void => void process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");

const program = new Command("audit").description("Verify and search the Purpose Gateway audit trail and disclosure ledger.").exitOverride();

program
  .command("verify")
  .description("verify the whole hash chain and the ledger against it")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const report = await withDb((db) => verifyChain(db));
    if (options.json) json(report);
    else if (report.broken) process.stdout.write(`BROKEN at event ${report.broken.seq}: ${report.broken.reason} (${report.checked} events verified before it)\n`);
    else if (report.ledgerMismatch) {
      process.stdout.write(`chain intact (${report.checked} events) but ledger record ${report.ledgerMismatch.id} disagrees with event ${report.ledgerMismatch.eventSeq}\n`);
    } else {
      process.stdout.write(`chain intact: ${report.checked} events` + (report.head ? `, head ${report.head.seq} ${report.head.hash}` : "") + "\n");
    }
    if (!report.ok) process.exitCode = 1;
  });

program
  .command("events")
  .description("search audit events, newest first")
  .option("--customer <id>")
  .option("--client <id>")
  .option("--purpose <purpose>")
  .option("--from <time>")
  .option("--to <time>")
  .option("--limit <n>")
  .option("--json")
  .action(async (o: { customer?: string; client?: string; purpose?: string; from?: string; to?: string; limit?: string; json?: boolean }) => {
    const events = await withDb((db) =>
      searchAuditEvents(db, { customerId: o.customer, clientId: o.client, purpose: o.purpose, from: date(o.from), to: date(o.to) }, { first: limit(o.limit) }),
    );
    if (o.json) return json(events);
    for (const e of events) {
      process.stdout.write(
        `${String(e.seq).padStart(8)}  ${e.occurredAt.toISOString()}  ${e.outcome.padEnd(8)} ${(e.clientName ?? "(unknown)").padEnd(22)} ${(e.purpose ?? "-").padEnd(20)} ` +
          `${e.disclosureGround ? `${e.disclosureGround}${e.disclosureReference ? ` [${e.disclosureReference}]` : ""} ` : ""}` +
          `${e.operationName ?? "(anonymous)"} ${e.errorCodes.join(",")}\n          fields ${e.fields.join(", ") || "-"}; customers ${e.customerIds.length}\n`,
      );
    }
  });

program
  .command("disclosures")
  .description("list disclosure ledger records, newest first")
  .option("--customer <id>")
  .option("--recipient <id>")
  .option("--from <time>")
  .option("--to <time>")
  .option("--limit <n>")
  .option("--json")
  .action(async (o: { customer?: string; recipient?: string; from?: string; to?: string; limit?: string; json?: boolean }) => {
    const rows = await withDb((db) =>
      searchDisclosures(db, { customerId: o.customer, recipientId: o.recipient, from: date(o.from), to: date(o.to) }, { first: limit(o.limit), offset: 0 }),
    );
    if (o.json) return json(rows);
    for (const d of rows) {
      process.stdout.write(
        `${d.disclosedAt.toISOString()}  ${d.recipientName.padEnd(24)} ${d.recipientKind.padEnd(11)} customer ${d.customerId}  ${d.ground ?? d.purpose}` +
          `${d.reference ? ` [${d.reference}]` : ""}  ${d.dataItems.join(", ")}  (event ${d.eventSeq}, kept until ${d.retainUntil.toISOString().slice(0, 10)})\n`,
      );
    }
  });

program
  .command("purge-ledger")
  .description("delete disclosure ledger records past their retention date")
  .action(async () => {
    const deleted = await withDb((db) => purgeExpiredDisclosures(db));
    process.stdout.write(`purged ${deleted} expired ledger record(s)\n`);
  });

program.parseAsync(process.argv).catch((error: Error & { code?: string }) => {
  if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
