import "reflect-metadata";
import { Command } from "commander";
import type { DataSource } from "typeorm";
import { AnswerBook } from "../features/statistics/budget/answer-book";
import { CompanyBudget } from "../features/statistics/budget/company-budget";
import { Organisations, type OrganisationKind } from "../features/statistics/budget/organisations";
import { recordStatisticsZone } from "../features/statistics/budget/period-clock";
import { cliSettings, withStore as withOpenStore } from "./cli-settings";

/**
 * `npm run statistics -- <command>`: the privacy officer's statistics budget (agreement 1.6, 3.2).
 *   budget set --period <ε> --lifetime <ε> [--window <periods>]
 *                                   the company's budget per period and its lifetime cap over a
 *                                   rolling window (default 12 periods); refused below what is
 *                                   already allocated or spent
 *   budget show [--json]            caps, spending this period and over the window, what is left
 *   organisations add <name> [--kind internal|recipient]
 *   organisations assign-client <client> <organisation>
 *                                   the client (id or name) draws on that organisation's allocation
 *   organisations allocate <organisation> <ε>
 *                                   ε per period its clients share; allocations never exceed the budget
 *   organisations list [--json]     allocation, spending this period, what is left, clients
 *   answers list [--period YYYY-MM] [--first N] [--json]
 *                                   every interactive answer released: question, organisation, ε, when
 */
const settings = cliSettings();
const withDb = <T>(work: (db: DataSource) => Promise<T>): Promise<T> =>
  withOpenStore(settings, async (store) => {
    // the CLI reckons periods as the gateways do: in the store's zone, and refuses another
    await recordStatisticsZone(store.db, settings.statistics.timeZone);
    return work(store.db);
  });

const out = (text: string) => void process.stdout.write(text);
const MICRO = 1_000_000;
const eps = (micro: number) => String(micro / MICRO);

/** ε as a decimal with at most six decimals, as an exact count of millionths. */
function epsilonArg(name: string, text: string): number {
  const match = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) throw new Error(`${name} must be ε ≥ 0 with at most 6 decimals, got "${text}"`);
  return Number(match[1]) * MICRO + Number((match[2] ?? "").padEnd(6, "0"));
}

const program = new Command("statistics")
  .description("The company's statistics privacy budget and the organisations that share it.")
  .exitOverride();

const budget = program.command("budget").description("the company's privacy budget");

budget
  .command("set")
  .description("set the company's budget per period and its lifetime cap")
  .requiredOption("--period <epsilon>", "ε the company may release per period (all organisations and releases together)")
  .requiredOption("--lifetime <epsilon>", "ε the company may release over the rolling window")
  .option("--window <periods>", "periods the lifetime cap covers, 1 to 120 (default: unchanged, initially 12)")
  .action(async (options: { period: string; lifetime: string; window?: string }) => {
    const windowPeriods = options.window === undefined ? undefined : Number(options.window);
    if (windowPeriods !== undefined && !/^\d{1,3}$/.test(options.window!))
      throw new Error(`--window must be a number of periods, got "${options.window}"`);
    const state = await withDb((db) =>
      new CompanyBudget(db).setCaps({
        periodBudgetMicro: epsilonArg("--period", options.period),
        lifetimeCapMicro: epsilonArg("--lifetime", options.lifetime),
        windowPeriods,
      }),
    );
    out(
      `company budget: ε ${eps(state.periodBudgetMicro)} per period, ε ${eps(state.lifetimeCapMicro)} over ${state.windowPeriods} periods (${state.timeZone})\n`,
    );
  });

budget
  .command("show")
  .description("caps, spending and what is left")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const { state, organisations } = await withDb(async (db) => ({
      state: await new CompanyBudget(db).state(),
      organisations: await new CompanyBudget(db).organisations(),
    }));
    if (options.json) return out(JSON.stringify({ ...state, organisations }, null, 2) + "\n");
    out(
      [
        `period ${state.period} (${state.timeZone}); window ${state.windowStart} to ${state.period} (${state.windowPeriods} periods)`,
        `period budget   ε ${eps(state.periodBudgetMicro)}: allocated ε ${eps(state.committedMicro)}, releases spent ε ${eps(state.releaseSpentMicro)}, left for releases ε ${eps(state.releaseRemainingMicro)}`,
        `interactive     ε ${eps(state.interactiveSpentMicro)} spent this period by organisations`,
        `lifetime cap    ε ${eps(state.lifetimeCapMicro)}: spent over the window ε ${eps(state.windowSpentMicro)}, left ε ${eps(state.lifetimeRemainingMicro)}`,
        `organisations   ${organisations.length}`,
      ].join("\n") + "\n",
    );
  });

const organisations = program.command("organisations").description("who receives statistics, and their share of the budget");

organisations
  .command("add <name>")
  .description("add an organisation (a recipient or an internal team)")
  .option("--kind <kind>", "internal or recipient", "internal")
  .action(async (name: string, options: { kind: string }) => {
    const added = await withDb((db) => new Organisations(db).add(name, options.kind as OrganisationKind));
    out(`added organisation ${added.name} (${added.id}), ${added.kind}, allocation ε 0\n`);
  });

organisations
  .command("assign-client <client> <organisation>")
  .description("make a client (id or name) draw on an organisation's allocation")
  .action(async (client: string, organisation: string) => {
    const assigned = await withDb((db) => new Organisations(db).assignClient(client, organisation));
    out(`${assigned.client} now belongs to ${assigned.organisation.name}\n`);
  });

organisations
  .command("allocate <organisation> <epsilon>")
  .description("set the ε per period an organisation's clients share")
  .action(async (organisation: string, epsilon: string) => {
    const micro = epsilonArg("<epsilon>", epsilon);
    const name = await withDb(async (db) => {
      const found = await new Organisations(db).get(organisation);
      await new CompanyBudget(db).allocate(found.id, micro);
      return found.name;
    });
    out(`${name}: allocation ε ${eps(micro)} per period\n`);
  });

organisations
  .command("list")
  .description("allocation, spending this period, what is left, clients")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const list = await withDb((db) => new CompanyBudget(db).organisations());
    if (options.json) return out(JSON.stringify(list, null, 2) + "\n");
    for (const o of list) {
      out(
        `${o.id}  ${o.name.padEnd(24)} ${o.kind.padEnd(9)}  allocation ε ${eps(o.allocationMicro)}  spent ε ${eps(o.spentMicro)}  left ε ${eps(o.remainingMicro)}  clients ${o.clients}\n`,
      );
    }
  });

program
  .command("answers")
  .description("interactive answers")
  .command("list")
  .description("every interactive answer released, newest first: question, organisation, ε, when")
  .option("--period <period>", 'only this period ("YYYY-MM")')
  .option("--first <n>", "how many (1 to 10000)", "100")
  .option("--json", "machine-readable output")
  .action(async (options: { period?: string; first: string; json?: boolean }) => {
    if (options.period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.period))
      throw new Error(`--period must be "YYYY-MM", got "${options.period}"`);
    const first = Number(options.first);
    if (!Number.isInteger(first) || first < 1 || first > 10_000) throw new Error(`--first must be 1 to 10000, got "${options.first}"`);
    const answers = await withDb((db) => new AnswerBook(db).list({ period: options.period ?? null, first }));
    if (options.json) return out(JSON.stringify(answers, null, 2) + "\n");
    for (const a of answers) {
      out(
        `${a.releasedAt?.toISOString() ?? "-"}  ${a.period}  ε ${eps(a.epsilonMicro)}  ${a.organisation} (${a.client})  ${JSON.stringify(a.canonical)}\n`,
      );
    }
  });

program.parseAsync(process.argv).catch((error: Error & { code?: string }) => {
  if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
