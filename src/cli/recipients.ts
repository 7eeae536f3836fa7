import "reflect-metadata";
import { Command } from "commander";
import { cliSettings, withStore as withOpenStore } from "./cli-settings";
import { ALL_GROUNDS } from "../kernel/purposes/disclosure-ground";
import { RecipientRegistry, type RecipientSummary } from "../features/disclosure/recipient-registry";
import { unknownCoordinates } from "../features/disclosure/schema-coordinates";
import type { RecipientKind } from "../kernel/caller/recipient";
import { ALL_PURPOSES } from "../kernel/purposes/purpose";
import { buildGatewaySchema } from "../app/schema/build-schema";

/**
 * `npm run recipients -- <command>`: the recipients registry (agreement Sections 3 and 4).
 *   add-third-party <name> --contract REF --grounds A,B --fields Customer.email,…
 *   add-processor <name> --contract REF --purposes A,B --fields Customer.email,…
 *   update <recipient> [--contract REF] [--grounds …|--purposes …] [--fields …]   a new contract
 *   attach <client> <recipient>      the client now acts for the recipient (next request)
 *   detach <client>                  the client acts for nobody
 *   list [--json]
 */
const settings = cliSettings();
const withRegistry = <T>(work: (registry: RecipientRegistry) => Promise<T>): Promise<T> =>
  withOpenStore(settings, (store) => work(new RecipientRegistry(store.db)));

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

/** Fields are checked against the schema the gateway serves: a typo would grant nothing and hide it. */
async function checkedFields(value: string | undefined): Promise<string[] | undefined> {
  if (value === undefined) return undefined;
  const fields = list(value);
  const unknown = unknownCoordinates(await buildGatewaySchema(), fields);
  if (unknown.length) throw new Error(`unknown field coordinate(s): ${unknown.join(", ")}`);
  return fields;
}

const print = (r: RecipientSummary) =>
  process.stdout.write(
    `${r.id}  ${r.name.padEnd(24)} ${r.kind.padEnd(11)} contract ${r.contractRef}\n` +
      `    ${r.kind === "THIRD_PARTY" ? `grounds  ${r.grounds.join(", ")}` : `purposes ${r.purposes.join(", ")}`}\n` +
      `    fields   ${r.fields.join(", ") || "(none)"}\n` +
      `    clients  ${r.clients.join(", ") || "(none)"}\n`,
  );

const program = new Command("recipients").description("Manage third parties and processors (agreement Sections 3 and 4).").exitOverride();

const add =
  (kind: RecipientKind) => async (name: string, options: { contract: string; grounds?: string; purposes?: string; fields: string }) => {
    const fields = (await checkedFields(options.fields))!;
    print(
      await withRegistry((r) =>
        r.create({ name, kind, contractRef: options.contract, grounds: list(options.grounds), purposes: list(options.purposes), fields }),
      ),
    );
  };

program
  .command("add-third-party <name>")
  .description("register a third party (Section 3) with the grounds it may receive data on")
  .requiredOption("--contract <ref>", "data-sharing agreement reference")
  .requiredOption("--grounds <list>", `comma-separated, from: ${ALL_GROUNDS.join(", ")}`)
  .requiredOption("--fields <list>", "comma-separated field coordinates it may receive, e.g. Query.customers,Customer.email")
  .action(add("THIRD_PARTY"));

program
  .command("add-processor <name>")
  .description("register an outsourced processor (Section 4) with the purposes it processes for")
  .requiredOption("--contract <ref>", "outsourcing contract reference")
  .requiredOption("--purposes <list>", `comma-separated, from: ${ALL_PURPOSES.join(", ")}`)
  .requiredOption("--fields <list>", "comma-separated field coordinates of its contract")
  .action(add("PROCESSOR"));

program
  .command("update <recipient>")
  .description("replace a recipient's contract reference, grounds/purposes or fields")
  .option("--contract <ref>")
  .option("--grounds <list>")
  .option("--purposes <list>")
  .option("--fields <list>")
  .action(async (idOrName: string, options: { contract?: string; grounds?: string; purposes?: string; fields?: string }) => {
    const fields = await checkedFields(options.fields);
    print(
      await withRegistry((r) =>
        r.update(idOrName, {
          contractRef: options.contract,
          grounds: options.grounds === undefined ? undefined : list(options.grounds),
          purposes: options.purposes === undefined ? undefined : list(options.purposes),
          fields,
        }),
      ),
    );
  });

program
  .command("attach <client> <recipient>")
  .description("make an API client act for a recipient")
  .action(async (client: string, recipient: string) => {
    await withRegistry((r) => r.attachClient(client, recipient));
    process.stdout.write(`${client} now acts for ${recipient}\n`);
  });

program
  .command("detach <client>")
  .description("make an API client act for no recipient")
  .action(async (client: string) => {
    await withRegistry((r) => r.attachClient(client, null));
    process.stdout.write(`${client} acts for no recipient\n`);
  });

program
  .command("list")
  .description("list recipients")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const recipients = await withRegistry((r) => r.list());
    if (options.json) return void process.stdout.write(JSON.stringify(recipients, null, 2) + "\n");
    recipients.forEach(print);
  });

program.parseAsync(process.argv).catch((error: Error & { code?: string }) => {
  if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
