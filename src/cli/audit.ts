import "reflect-metadata";
import { Command } from "commander";
import { cliSettings, withStore as withOpenStore } from "./cli-settings";
import type { DataSource } from "typeorm";
import { searchAuditEvents } from "../features/audit/audit-queries";
import { verifyChain, type ChainAnchor, type ChainReport } from "../features/audit/verify-chain";
import { checkpointProblem, makeCheckpoint, parseCheckpoint } from "../features/audit/checkpoint";
import { recentCheckpoints, recordCheckpoint, type StoredCheckpoint } from "../features/audit/checkpoint-store";
import { readFileSync, writeFileSync } from "node:fs";
import { purgeExpiredDisclosures, searchDisclosures } from "../features/disclosure/ledger-queries";

/**
 * `npm run audit -- <command>`: the privacy officer's tools on the audit trail and ledger.
 *   verify [--json] [--checkpoint FILE] [--from-checkpoint]
 *                                   walks the hash chain, names the first broken link (exit 1);
 *                                   with a checkpoint file the chain must still reach its head
 *                                   (a cut-off tail is caught); --from-checkpoint starts at the
 *                                   last recorded checkpoint (or the file's), so its cost follows new events
 *   checkpoint [--out FILE] [--json] verifies (from the last checkpoint), then records the head,
 *                                   signed with AUDIT_CHECKPOINT_KEY_FILE when set, and writes it to FILE
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
const json = (value: unknown): void =>
  void process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");

const program = new Command("audit").description("Verify and search the Purpose Gateway audit trail and disclosure ledger.").exitOverride();

program
  .command("verify")
  .description("verify the hash chain and the ledger against it")
  .option("--json", "machine-readable output")
  .option("--checkpoint <file>", "a checkpoint file (audit checkpoint --out): the chain must still reach its head")
  .option("--from-checkpoint", "verify only the events after the last checkpoint (the file's, if given)")
  .action(async (options: { json?: boolean; checkpoint?: string; fromCheckpoint?: boolean }) => {
    const file = options.checkpoint ? readCheckpointFile(options.checkpoint) : null;
    const report = await withDb(async (db) => {
      const from = options.fromCheckpoint ? (file ?? (await trustedLastCheckpoint(db))) : null;
      return verifyChain(db, { checkpoint: file, from });
    });
    if (options.json) json(report);
    else printReport(report, file);
    if (!report.ok) process.exitCode = 1;
  });

program
  .command("checkpoint")
  .description("verify from the last checkpoint, then record the chain's head (signed when AUDIT_CHECKPOINT_KEY_FILE is set)")
  .option("--out <file>", "also write the checkpoint to this file (keep it outside the database's reach)")
  .option("--json", "machine-readable output")
  .action(async (options: { out?: string; json?: boolean }) => {
    const result = await withDb(async (db) => {
      // from the newest checkpoint that can be trusted (a key introduced later: from the genesis)
      const trusted = (await recentCheckpoints(db)).find((cp) => !problemOf(cp));
      const report = await verifyChain(db, { from: trusted ? { seq: trusted.seq, hash: trusted.hash } : null });
      if (!report.ok || !report.head) return { report, checkpoint: null };
      const checkpoint = makeCheckpoint(report.head, settings.audit.checkpointKeyPem);
      await recordCheckpoint(db, checkpoint);
      return { report, checkpoint };
    });
    if (result.checkpoint && options.out) writeFileSync(options.out, JSON.stringify(result.checkpoint, null, 2) + "\n", { mode: 0o644 });
    if (options.json) json(result);
    else if (!result.checkpoint) {
      printReport(result.report, null);
      if (result.report.ok) process.stdout.write("no events yet: nothing to checkpoint\n");
    } else {
      const cp = result.checkpoint;
      process.stdout.write(
        `checkpoint at event ${cp.seq} ${cp.hash}${cp.signature ? " (signed)" : " (unsigned)"}${options.out ? `, written to ${options.out}` : ""}\n`,
      );
    }
    if (!result.checkpoint) process.exitCode = 1;
  });

function readCheckpointFile(path: string): ChainAnchor {
  const cp = parseCheckpoint(readFileSync(path, "utf8"));
  const problem = checkpointProblem(cp, settings.audit.checkpointKeyPem);
  if (problem) throw new Error(`${path}: ${problem}`);
  return { seq: cp.seq, hash: cp.hash };
}

/** The last checkpoint recorded in the database, if its signature holds (a forged one would hide tampering before it). */
async function trustedLastCheckpoint(db: DataSource): Promise<ChainAnchor | null> {
  const [cp] = await recentCheckpoints(db, 1);
  if (!cp) return null;
  const problem = problemOf(cp);
  if (problem) throw new Error(`the last recorded checkpoint (event ${cp.seq}) cannot be trusted: ${problem}`);
  return { seq: cp.seq, hash: cp.hash };
}

/** With a key set only checkpoints signed by it count (the migration's is unsigned: it counts only without a key). */
const problemOf = (cp: StoredCheckpoint) => checkpointProblem(cp, settings.audit.checkpointKeyPem);

function printReport(report: ChainReport, checkpoint: ChainAnchor | null): void {
  const scope = report.from ? ` after checkpoint ${report.from.seq}` : "";
  if (report.broken) {
    process.stdout.write(
      `BROKEN at event ${report.broken.seq}: ${report.broken.reason} (${report.checked} events verified${scope} before it)\n`,
    );
  } else if (report.ledgerMismatch) {
    process.stdout.write(
      `chain intact (${report.checked} events${scope}) but ledger record ${report.ledgerMismatch.id} disagrees with event ${report.ledgerMismatch.eventSeq}\n`,
    );
  } else {
    process.stdout.write(
      `chain intact: ${report.checked} events${scope}` +
        (report.head ? `, head ${report.head.seq} ${report.head.hash}` : "") +
        (checkpoint ? `; reaches checkpoint ${checkpoint.seq}` : "") +
        "\n",
    );
  }
}

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
  .action(
    async (o: { customer?: string; client?: string; purpose?: string; from?: string; to?: string; limit?: string; json?: boolean }) => {
      const events = await withDb((db) =>
        searchAuditEvents(
          db,
          { customerId: o.customer, clientId: o.client, purpose: o.purpose, from: date(o.from), to: date(o.to) },
          { first: limit(o.limit) },
        ),
      );
      if (o.json) return json(events);
      for (const e of events) {
        process.stdout.write(
          `${String(e.seq).padStart(8)}  ${e.occurredAt.toISOString()}  ${e.outcome.padEnd(8)} ${(e.clientName ?? "(unknown)").padEnd(22)} ${(e.purpose ?? "-").padEnd(20)} ` +
            `${e.disclosureGround ? `${e.disclosureGround}${e.disclosureReference ? ` [${e.disclosureReference}]` : ""} ` : ""}` +
            `${e.operationName ?? "(anonymous)"} ${e.errorCodes.join(",")}\n          fields ${e.fields.join(", ") || "-"}; customers ${e.customerIds.length}\n`,
        );
      }
    },
  );

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
      searchDisclosures(
        db,
        { customerId: o.customer, recipientId: o.recipient, from: date(o.from), to: date(o.to) },
        { first: limit(o.limit), offset: 0 },
      ),
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
