import "reflect-metadata";
import { Command } from "commander";
import { ClientRegistry } from "../clients/client-registry";
import { cliSettings, withStore as withOpenStore } from "./cli-settings";
import { ALL_PURPOSES } from "../kernel/purposes/purpose";

/**
 * `npm run clients -- <command>`: manage API clients.
 *   create <name> --purposes A,B [--key-only]   prints the key once (alone on stdout with --key-only)
 *   list                                        every client, its purposes, key prefix and state
 *   revoke <id|name>                            the key stops working on the next request
 *   rotate <id|name> [--key-only]               a new key replaces the old one
 *   set-purposes <id|name> A,B                  replaces the client's purposes (next request on)
 *   set-roles <id|name> ROLE,…                  replaces its compliance roles
 */
const settings = cliSettings();
const withRegistry = <T>(work: (clients: ClientRegistry) => Promise<T>): Promise<T> =>
  withOpenStore(settings, (store) => work(new ClientRegistry(store.db)));

const program = new Command("clients").description("Manage Purpose Gateway API clients.").exitOverride();

program
  .command("create <name>")
  .description("create a client and print its key (shown once)")
  .requiredOption("--purposes <list>", `comma-separated, from: ${ALL_PURPOSES.join(", ")}`)
  .option("--key-only", "print only the key (for scripts)")
  .option("--roles <list>", "comma-separated compliance roles, e.g. PRIVACY_OFFICER")
  .action(async (name: string, options: { purposes: string; keyOnly?: boolean; roles?: string }) => {
    const purposes = options.purposes
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const roles = (options.roles ?? "")
      .split(",")
      .map((r) => r.trim())
      .filter(Boolean);
    const { client, key } = await withRegistry((c) => c.create(name, purposes, { roles }));
    if (options.keyOnly) process.stdout.write(key + "\n");
    else process.stdout.write(`created client ${client.name} (${client.id}) for ${client.purposes.join(", ")}\nkey (shown once): ${key}\n`);
  });

program
  .command("set-purposes <client> <purposes>")
  .description(`replace the purposes a client is granted (comma-separated, from: ${ALL_PURPOSES.join(", ")})`)
  .action(async (idOrName: string, purposes: string) => {
    const client = await withRegistry((c) =>
      c.setPurposes(
        idOrName,
        purposes
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean),
      ),
    );
    process.stdout.write(`${client.name} is now granted ${client.purposes.join(", ")}\n`);
  });

program
  .command("set-roles <client> <roles>")
  .description('replace a client\'s compliance roles (comma-separated, e.g. PRIVACY_OFFICER; "" for none)')
  .action(async (idOrName: string, roles: string) => {
    const client = await withRegistry((c) =>
      c.setRoles(
        idOrName,
        roles
          .split(",")
          .map((r) => r.trim())
          .filter(Boolean),
      ),
    );
    process.stdout.write(`${client.name} now holds ${client.roles?.join(", ") || "no roles"}\n`);
  });

program
  .command("list")
  .description("list clients")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const clients = await withRegistry((c) => c.list());
    if (options.json) return void process.stdout.write(JSON.stringify(clients, null, 2) + "\n");
    for (const c of clients) {
      process.stdout.write(
        `${c.id}  ${c.name.padEnd(24)} ${c.keyPrefix}…  ${c.revokedAt ? `revoked ${c.revokedAt.toISOString()}` : "active".padEnd(32)}  ${c.purposes.join(",")}${c.roles?.length ? `  roles ${c.roles.join(",")}` : ""}\n`,
      );
    }
  });

program
  .command("revoke <client>")
  .description("revoke a client by id or name")
  .action(async (idOrName: string) => {
    const revoked = await withRegistry((c) => c.revoke(idOrName));
    if (!revoked) throw new Error(`no active client "${idOrName}"`);
    process.stdout.write(`revoked ${revoked.name} (${revoked.id})\n`);
  });

program
  .command("rotate <client>")
  .description("replace a client's key")
  .option("--key-only", "print only the key")
  .action(async (idOrName: string, options: { keyOnly?: boolean }) => {
    const { client, key } = await withRegistry((c) => c.rotate(idOrName));
    process.stdout.write(options.keyOnly ? key + "\n" : `new key for ${client.name} (shown once): ${key}\n`);
  });

program.parseAsync(process.argv).catch((error: Error & { code?: string }) => {
  if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
