import "reflect-metadata";
import { Command } from "commander";
import type { Store } from "../db/open-store";
import { cliSettings, withStore as withOpenStore } from "./cli-settings";
import { outboxOf } from "../features/requests/outbox-of";

/**
 * `npm run requests -- <command>`: operations around customers' requests.
 *   outbox drain                      deliver due erasure notices now (the gateway also does it every ERASURE_OUTBOX_INTERVAL_MS)
 *   outbox list                       every notice not yet delivered (PENDING, FAILED, MANUAL)
 *   endpoint <recipient> <url|none>   where a recipient receives erasure notices (HTTP POST, JSON)
 */
const settings = cliSettings();
const withStore = <T>(work: (store: Store) => Promise<T>): Promise<T> => withOpenStore(settings, work);

const program = new Command("requests").description("Customers' requests: the erasure outbox.").exitOverride();
const outbox = program.command("outbox").description("the erasure notices to recipients");

outbox
  .command("drain")
  .description("deliver the notices that are due")
  .action(async () => {
    const result = await withStore((s) => outboxOf(s.db, settings).drain());
    process.stdout.write(`delivered ${result.delivered}, retrying ${result.retried}, failed ${result.failed}, manual ${result.manual}\n`);
  });

outbox
  .command("list")
  .description("notices not yet delivered")
  .action(async () => {
    const rows = await withStore((s) =>
      s.db.query(
        `SELECT n.request_id, r.name, n.status, n.attempts, n.next_attempt_at, n.last_error
           FROM erasure_notification n JOIN recipient r ON r.id = n.recipient_id WHERE n.status <> 'DELIVERED' ORDER BY n.created_at`,
      ),
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.request_id}  ${r.name.padEnd(24)} ${r.status.padEnd(8)} attempts ${r.attempts}  next ${r.next_attempt_at.toISOString()}  ${r.last_error ?? ""}\n`,
      );
    }
  });

program
  .command("endpoint <recipient> <url>")
  .description("set (or with 'none', clear) a recipient's erasure-notice endpoint")
  .action(async (recipient: string, url: string) => {
    if (url !== "none" && !/^https?:\/\/\S+$/.test(url)) throw new Error("the endpoint must be an http(s) URL or 'none'");
    const [, updated] = await withStore((s) =>
      s.db.query(`UPDATE recipient SET notification_url = $2 WHERE name = $1`, [recipient, url === "none" ? null : url]),
    );
    if (!updated) throw new Error(`no recipient "${recipient}"`);
    process.stdout.write(`${recipient}: erasure notices ${url === "none" ? "by hand" : `to ${url}`}\n`);
  });

program.parseAsync(process.argv).catch((error: Error & { code?: string }) => {
  if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
