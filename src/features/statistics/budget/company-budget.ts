import type { FeatureDb, FeatureTx } from "../../../kernel/store/feature-db";
import { budgetExhausted, type BudgetLimit } from "../errors";
import { periodClock, PERIOD_CLOCK_COLUMNS, type PeriodClock } from "./period-clock";

/** The privacy officer's settings, as stored (ε in millionths). */
export interface CompanyBudgetSettings {
  timeZone: string;
  periodBudgetMicro: number;
  lifetimeCapMicro: number;
  /** the lifetime cap covers this many periods: the current one and those before it */
  windowPeriods: number;
}

/** What the company has spent, in the current period and over the rolling window. */
export interface CompanyBudgetState extends CompanyBudgetSettings {
  period: string;
  /** the first period of the rolling window ("YYYY-MM") */
  windowStart: string;
  /** Σ over organisations of max(allocation, spent this period): what they may still claim */
  committedMicro: number;
  releaseSpentMicro: number;
  interactiveSpentMicro: number;
  windowSpentMicro: number;
  /** ε a release could still spend now: min(unallocated period budget, lifetime room) */
  releaseRemainingMicro: number;
  lifetimeRemainingMicro: number;
  retryAfterSeconds: number;
}

export interface OrganisationBudget {
  id: string;
  name: string;
  kind: "recipient" | "internal";
  allocationMicro: number;
  spentMicro: number;
  /** ε this organisation could still spend now: min(its allocation left, lifetime room) */
  remainingMicro: number;
  clients: number;
}

type Account = { kind: "organisation"; organisationId: string } | { kind: "release"; releaseId: string };

const MICRO = 1_000_000;
const fromMicro = (micro: number) => micro / MICRO;

/**
 * One privacy budget for the whole company (agreement 1.6 and 3.2, issue 9). Every answered
 * statistics field and every published release costs ε per data subject: each customer's
 * contribution to a field is bounded, so releasing it tells anyone at most ε about any one
 * customer, and ε add up across everything released to everyone. The store holds the caps
 * (shared by every gateway): a budget per period and a lifetime cap over a rolling window of
 * `windowPeriods` periods. The period budget is shared out among organisations (their
 * allocations); what is not allocated is the releases' part.
 *
 * Invariants, held by taking the one settings row FOR UPDATE in every transaction that
 * spends or changes a cap, then reading the sums in a later statement (a fresh snapshot that
 * sees every earlier holder's commit):
 *   Σ_org max(allocation, spent this period) + release spending this period ≤ period budget
 *   all spending in the rolling window ≤ lifetime cap
 *
 * Periods are calendar months in the store's statistics time zone, computed in SQL from the
 * transaction's `now()`: no gateway's clock or zone decides which period a charge falls in.
 *
 * Contract of `spendForRelease(tx, releaseId, ε)`: charges ε (millionths, > 0) to the
 * unallocated part of the current period and to the lifetime window, atomically. `tx` is
 * either the FeatureDb this budget was built with (the charge then runs in its own
 * transaction) or the caller's transaction (the charge then commits or rolls back with the
 * release rows; the settings row stays locked until then, which serialises every spender:
 * keep that transaction short, e.g. compute the release first, then charge and store); returns the
 * period charged. When either cap would be exceeded it throws PRIVACY_BUDGET_EXHAUSTED
 * (`budgetExhausted`) with the exact ε left, and charges nothing. A release id is charged
 * once: charging the same id again fails (unique constraint).
 */
export class CompanyBudget {
  constructor(private readonly db: FeatureDb) {}

  /** The current period ("YYYY-MM") in the store's zone. */
  async currentPeriod(): Promise<string> {
    return (await this.clock(this.db)).period;
  }

  /** Charges a release's ε against the company's unallocated budget and the lifetime cap. */
  async spendForRelease(tx: FeatureTx | FeatureDb, releaseId: string, epsilonMicro: number): Promise<{ period: string }> {
    const { period } = await this.withTx(tx, (t) => this.charge(t, { kind: "release", releaseId }, epsilonMicro));
    return { period };
  }

  /**
   * Charges an interactive answer's ε to an organisation's allocation (and the lifetime cap);
   * returns the period and the ε the organisation has left afterwards. Throws as above.
   */
  async spendForOrganisation(organisationId: string, epsilonMicro: number): Promise<{ period: string; remainingMicro: number }> {
    return this.db.transaction((t) => this.charge(t, { kind: "organisation", organisationId }, epsilonMicro));
  }

  /** ε the organisation could spend now (no lock: for reporting). */
  async organisationRemaining(organisationId: string): Promise<{ period: string; remainingMicro: number }> {
    const clock = await this.clock(this.db);
    const sums = await this.sums(this.db, clock, organisationId);
    return { period: clock.period, remainingMicro: organisationRoom(clock, sums) };
  }

  async state(tx: FeatureTx | FeatureDb = this.db): Promise<CompanyBudgetState> {
    const clock = await this.clock(tx);
    const sums = await this.sums(tx, clock, null);
    return {
      ...clock.settings,
      period: clock.period,
      windowStart: clock.windowStart,
      committedMicro: sums.committed,
      releaseSpentMicro: sums.releasePeriod,
      interactiveSpentMicro: sums.interactivePeriod,
      windowSpentMicro: sums.window,
      releaseRemainingMicro: Math.max(0, Math.min(releaseRoom(clock, sums), lifetimeRoom(clock, sums))),
      lifetimeRemainingMicro: lifetimeRoom(clock, sums),
      retryAfterSeconds: clock.retryAfterSeconds,
    };
  }

  /** Every organisation's allocation and spending in the current period, by name. */
  async organisations(): Promise<OrganisationBudget[]> {
    const clock = await this.clock(this.db);
    const window = await this.sums(this.db, clock, null);
    const rows = await this.db.query(
      `SELECT o.id, o.name, o.kind, o.allocation_micro::bigint AS allocation,
              coalesce((SELECT sum(s.epsilon_micro) FROM statistics_spending s WHERE s.organisation_id = o.id AND s.period = $1), 0)::bigint AS spent,
              (SELECT count(*) FROM statistics_organisation_client c WHERE c.organisation_id = o.id)::int AS clients
         FROM statistics_organisation o ORDER BY o.name`,
      [clock.period],
    );
    return rows.map((r: Record<string, unknown>) => {
      const allocationMicro = Number(r.allocation);
      const spentMicro = Number(r.spent);
      return {
        id: String(r.id),
        name: String(r.name),
        kind: r.kind as OrganisationBudget["kind"],
        allocationMicro,
        spentMicro,
        remainingMicro: Math.max(0, Math.min(allocationMicro - spentMicro, lifetimeRoom(clock, window))),
        clients: Number(r.clients),
      };
    });
  }

  /**
   * Sets the company's caps. Refused (nothing changed) when the new period budget would be
   * below what organisations may already claim plus this period's release spending, or the
   * lifetime cap below the period budget or below what the window has already spent.
   */
  async setCaps(caps: { periodBudgetMicro: number; lifetimeCapMicro: number; windowPeriods?: number }): Promise<CompanyBudgetState> {
    return this.db.transaction(async (t) => {
      const current = await this.clock(t);
      const windowPeriods = caps.windowPeriods ?? current.settings.windowPeriods;
      if (!Number.isInteger(windowPeriods) || windowPeriods < 1 || windowPeriods > 120)
        throw new Error("the window must be 1 to 120 periods");
      if (caps.lifetimeCapMicro < caps.periodBudgetMicro) throw new Error("the lifetime cap must be at least the period budget");
      await t.query(
        `UPDATE statistics_company_budget SET period_budget_micro = $1, lifetime_cap_micro = $2, window_periods = $3, updated_at = now() WHERE singleton`,
        [caps.periodBudgetMicro, caps.lifetimeCapMicro, windowPeriods],
      );
      const clock = await this.clock(t);
      const sums = await this.sums(t, clock, null);
      if (sums.committed + sums.releasePeriod > caps.periodBudgetMicro) {
        throw new Error(
          `the period budget ε = ${fromMicro(caps.periodBudgetMicro)} is below what is allocated (or already spent) this period: ε = ${fromMicro(sums.committed + sums.releasePeriod)}; lower allocations first`,
        );
      }
      if (sums.window > caps.lifetimeCapMicro) {
        throw new Error(
          `the lifetime cap ε = ${fromMicro(caps.lifetimeCapMicro)} is below what the window has already spent: ε = ${fromMicro(sums.window)}`,
        );
      }
      return this.state(t);
    });
  }

  /**
   * Sets an organisation's allocation per period. Refused when the allocations (each at least
   * what its organisation spent this period) plus release spending would exceed the budget.
   */
  async allocate(organisationId: string, allocationMicro: number): Promise<void> {
    if (!Number.isSafeInteger(allocationMicro) || allocationMicro < 0) throw new Error("an allocation is ε ≥ 0");
    await this.db.transaction(async (t) => {
      await this.clock(t);
      await t.query(`UPDATE statistics_organisation SET allocation_micro = $2 WHERE id = $1`, [organisationId, allocationMicro]);
      const clock = await this.clock(t);
      const sums = await this.sums(t, clock, null);
      if (sums.committed + sums.releasePeriod > clock.settings.periodBudgetMicro) {
        throw new Error(
          `allocations would exceed the company's period budget: ε = ${fromMicro(sums.committed + sums.releasePeriod)} allocated or spent, budget ε = ${fromMicro(clock.settings.periodBudgetMicro)}`,
        );
      }
    });
  }

  private async charge(t: FeatureTx, account: Account, epsilonMicro: number): Promise<{ period: string; remainingMicro: number }> {
    if (!Number.isSafeInteger(epsilonMicro) || epsilonMicro <= 0)
      throw new Error(`ε to charge must be a positive number of millionths, got ${epsilonMicro}`);
    const clock = await this.clock(t, true);
    const sums = await this.sums(t, clock, account.kind === "organisation" ? account.organisationId : null);
    const accountRoom = account.kind === "organisation" ? sums.organisationAllocation - sums.organisationPeriod : releaseRoom(clock, sums);
    const lifetime = lifetimeRoom(clock, sums);
    if (epsilonMicro > accountRoom || epsilonMicro > lifetime) {
      const limit: BudgetLimit =
        epsilonMicro > lifetime && lifetime <= accountRoom
          ? "LIFETIME_CAP"
          : account.kind === "organisation"
            ? "ORGANISATION_ALLOCATION"
            : "COMPANY_PERIOD_BUDGET";
      throw budgetExhausted({
        budgetPeriod: clock.period,
        budgetRemaining: fromMicro(Math.max(0, Math.min(accountRoom, lifetime))),
        epsilonRequired: fromMicro(epsilonMicro),
        budgetLimit: limit,
        retryAfterSeconds: clock.retryAfterSeconds,
      });
    }
    await t.query(`INSERT INTO statistics_spending (period, organisation_id, release_id, epsilon_micro) VALUES ($1, $2, $3, $4)`, [
      clock.period,
      account.kind === "organisation" ? account.organisationId : null,
      account.kind === "release" ? account.releaseId : null,
      epsilonMicro,
    ]);
    return { period: clock.period, remainingMicro: Math.min(accountRoom, lifetime) - epsilonMicro };
  }

  private async clock(t: FeatureTx | FeatureDb, forUpdate = false): Promise<PeriodClock> {
    const [row] = await t.query(
      `SELECT ${PERIOD_CLOCK_COLUMNS} FROM statistics_company_budget WHERE singleton${forUpdate ? " FOR UPDATE" : ""}`,
    );
    if (!row) throw new Error("the statistics budget is not initialised in the store (a gateway records its time zone at start-up)");
    return periodClock(row);
  }

  /** The sums the invariants need; read after the lock, so they include every earlier charge. */
  private async sums(t: FeatureTx | FeatureDb, clock: PeriodClock, organisationId: string | null): Promise<Sums> {
    const [row] = await t.query(
      `SELECT
         coalesce((SELECT sum(epsilon_micro) FROM statistics_spending WHERE period >= $2), 0)::bigint AS window,
         coalesce((SELECT sum(epsilon_micro) FROM statistics_spending WHERE period = $1 AND release_id IS NOT NULL), 0)::bigint AS release_period,
         coalesce((SELECT sum(epsilon_micro) FROM statistics_spending WHERE period = $1 AND organisation_id IS NOT NULL), 0)::bigint AS interactive_period,
         coalesce((SELECT sum(greatest(o.allocation_micro,
             coalesce((SELECT sum(s.epsilon_micro) FROM statistics_spending s WHERE s.organisation_id = o.id AND s.period = $1), 0)))
           FROM statistics_organisation o), 0)::bigint AS committed,
         coalesce((SELECT allocation_micro FROM statistics_organisation WHERE id = $3::uuid), 0)::bigint AS organisation_allocation,
         coalesce((SELECT sum(epsilon_micro) FROM statistics_spending WHERE period = $1 AND organisation_id = $3::uuid), 0)::bigint AS organisation_period`,
      [clock.period, clock.windowStart, organisationId],
    );
    return {
      window: Number(row.window),
      releasePeriod: Number(row.release_period),
      interactivePeriod: Number(row.interactive_period),
      committed: Number(row.committed),
      organisationAllocation: Number(row.organisation_allocation),
      organisationPeriod: Number(row.organisation_period),
    };
  }

  /** The budget's own handle opens a transaction; anything else is the caller's transaction. */
  private withTx<T>(tx: FeatureTx | FeatureDb, work: (t: FeatureTx) => Promise<T>): Promise<T> {
    return tx === this.db ? this.db.transaction(work) : work(tx);
  }
}

interface Sums {
  window: number;
  releasePeriod: number;
  interactivePeriod: number;
  committed: number;
  organisationAllocation: number;
  organisationPeriod: number;
}

const lifetimeRoom = (clock: PeriodClock, sums: Sums) => Math.max(0, clock.settings.lifetimeCapMicro - sums.window);
const releaseRoom = (clock: PeriodClock, sums: Sums) => Math.max(0, clock.settings.periodBudgetMicro - sums.committed - sums.releasePeriod);
const organisationRoom = (clock: PeriodClock, sums: Sums) =>
  Math.max(0, Math.min(sums.organisationAllocation - sums.organisationPeriod, lifetimeRoom(clock, sums)));
