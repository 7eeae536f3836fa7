import type { FeatureDb, FeatureTx } from "../../../kernel/store/feature-db";
import { COLUMN, StatisticsDimension as D, type StatisticsDimension } from "../dimensions";
import { badInput } from "../query";
import { regionOfCell, type ReleasedCell } from "./measure";
import type { GroupingMethod, ReleasePlanDefinition } from "./plan";

export interface StoredPlan extends ReleasePlanDefinition {
  id: string;
  name: string;
  version: number;
  definedAt: Date;
  /** releases published from this version */
  releases: number;
}

export interface ReleaseSummary {
  id: string;
  planId: string;
  plan: string;
  planVersion: number;
  period: string;
  epsilonMicro: number;
  cells: number;
  measureMs: number;
  publishedAt: Date;
  method: GroupingMethod[];
}

export interface StoredCell extends ReleasedCell {
  grouping: number;
}

const PLAN_COLUMNS = `p.id, p.name, p.version, p.definition, p.epsilon_micro, p.defined_at,
  (SELECT count(*)::int FROM statistics_published_release r WHERE r.plan_id = p.id) AS releases`;
const RELEASE_COLUMNS = `r.id, r.plan_id, p.name AS plan, p.version AS plan_version, r.period, r.epsilon_micro, r.cells, r.measure_ms, r.published_at, r.method`;
const CELL_DIMENSIONS: readonly StatisticsDimension[] = [D.AGE_BAND, D.GENDER, D.PREFECTURE, D.REGION, D.SERVICE, D.USAGE_MONTH];

const toPlan = (row: any): StoredPlan => ({
  id: row.id,
  name: row.name,
  version: row.version,
  groupings: row.definition.groupings,
  epsilonMicro: Number(row.epsilon_micro),
  definedAt: row.defined_at,
  releases: row.releases,
});

export const toRelease = (row: any): ReleaseSummary => ({
  id: row.id,
  planId: row.plan_id,
  plan: row.plan,
  planVersion: row.plan_version,
  period: row.period,
  epsilonMicro: Number(row.epsilon_micro),
  cells: row.cells,
  measureMs: row.measure_ms,
  publishedAt: row.published_at,
  method: row.method,
});

/** Release plans, releases and their cells in PostgreSQL (the statistics feature's own tables). */
export class ReleaseStore {
  constructor(private readonly db: FeatureDb) {}

  /** A new version of the plan `name` (versions are never changed: releases refer to them). */
  async define(name: string, plan: ReleasePlanDefinition): Promise<StoredPlan> {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name))
      throw badInput("A plan name is 1–64 characters: lower-case letters, digits, '.', '_' or '-'.");
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('statistics_release_plan:' || $1))`, [name]);
      const rows = await tx.query(
        `INSERT INTO statistics_release_plan (name, version, definition, epsilon_micro)
         SELECT $1, coalesce(max(version), 0) + 1, $2::jsonb, $3 FROM statistics_release_plan WHERE name = $1
         RETURNING id`,
        [name, JSON.stringify({ groupings: plan.groupings }), plan.epsilonMicro],
      );
      const [row] = await tx.query(`SELECT ${PLAN_COLUMNS} FROM statistics_release_plan p WHERE p.id = $1`, [rows[0].id]);
      return toPlan(row);
    });
  }

  async plans(): Promise<StoredPlan[]> {
    const rows = await this.db.query(`SELECT ${PLAN_COLUMNS} FROM statistics_release_plan p ORDER BY p.name, p.version`);
    return rows.map(toPlan);
  }

  /** The newest version of a plan by name, or a version by id. */
  async plan(nameOrId: string): Promise<StoredPlan | null> {
    const byId = /^[0-9a-f-]{36}$/i.test(nameOrId);
    const rows = await this.db.query(
      `SELECT ${PLAN_COLUMNS} FROM statistics_release_plan p WHERE ${byId ? "p.id = $1::uuid" : "p.name = $1"} ORDER BY p.version DESC LIMIT 1`,
      [nameOrId],
    );
    return rows.length ? toPlan(rows[0]) : null;
  }

  /** Stores a release and its cells, in the caller's transaction (with the budget charge). */
  async store(
    tx: FeatureTx,
    release: { id: string; planId: string; period: string; epsilonMicro: number; method: GroupingMethod[]; measureMs: number },
    cells: readonly StoredCell[],
  ): Promise<void> {
    await tx.query(
      `INSERT INTO statistics_published_release (id, plan_id, period, epsilon_micro, method, cells, measure_ms) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`,
      [release.id, release.planId, release.period, release.epsilonMicro, JSON.stringify(release.method), cells.length, release.measureMs],
    );
    const BATCH = 20_000;
    for (let start = 0; start < cells.length; start += BATCH) {
      const batch = cells.slice(start, start + BATCH);
      const column = (pick: (c: StoredCell) => unknown) => batch.map(pick);
      await tx.query(
        `INSERT INTO statistics_published_cell (release_id, grouping, ordinal, age_band, gender, prefecture, region, service, usage_month, customers, usage_count, amount_sum)
         SELECT $1, * FROM unnest($2::smallint[], $12::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[])`,
        [
          release.id,
          column((c) => c.grouping),
          column((c) => c.key.AGE_BAND ?? null),
          column((c) => c.key.GENDER ?? null),
          column((c) => c.key.PREFECTURE ?? null),
          column((c) => regionOfCell(c)),
          column((c) => c.key.SERVICE ?? null),
          column((c) => c.key.USAGE_MONTH ?? null),
          column((c) => c.customers),
          column((c) => c.usageCount ?? null),
          column((c) => c.amountSum ?? null),
          batch.map((_, i) => start + i),
        ],
      );
    }
  }

  async releases(page: { first: number; offset: number } = { first: 100, offset: 0 }): Promise<ReleaseSummary[]> {
    const rows = await this.db.query(
      `SELECT ${RELEASE_COLUMNS} FROM statistics_published_release r JOIN statistics_release_plan p ON p.id = r.plan_id
        ORDER BY r.published_at DESC, r.id LIMIT $1 OFFSET $2`,
      [page.first, page.offset],
    );
    return rows.map(toRelease);
  }

  async release(id: string): Promise<ReleaseSummary | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await this.db.query(
      `SELECT ${RELEASE_COLUMNS} FROM statistics_published_release r JOIN statistics_release_plan p ON p.id = r.plan_id WHERE r.id = $1`,
      [id],
    );
    return rows.length ? toRelease(rows[0]) : null;
  }

  /** Releases of a period, newest first (the candidates to answer a question from). */
  async releasesOf(period: string): Promise<ReleaseSummary[]> {
    const rows = await this.db.query(
      `SELECT ${RELEASE_COLUMNS} FROM statistics_published_release r JOIN statistics_release_plan p ON p.id = r.plan_id
        WHERE r.period = $1 ORDER BY r.published_at DESC, r.id`,
      [period],
    );
    return rows.map(toRelease);
  }

  /** A release's cells, in stored order (the grouping's domain order). */
  async cells(releaseId: string, page: { grouping?: number; first: number; offset: number }): Promise<StoredCell[]> {
    const rows = await this.db.query(
      `SELECT grouping, ${CELL_DIMENSIONS.map((d) => COLUMN[d]).join(", ")}, customers, usage_count, amount_sum FROM statistics_published_cell
        WHERE release_id = $1 AND ($2::smallint IS NULL OR grouping = $2) ORDER BY grouping, ordinal LIMIT $3 OFFSET $4`,
      [releaseId, page.grouping ?? null, page.first, page.offset],
    );
    return rows.map((row: any) => {
      const key: StoredCell["key"] = {};
      for (const d of CELL_DIMENSIONS) if (row[COLUMN[d]] !== null) key[d] = row[COLUMN[d]];
      const cell: StoredCell = { grouping: row.grouping, key, customers: Number(row.customers) };
      if (row.usage_count !== null) cell.usageCount = Number(row.usage_count);
      if (row.amount_sum !== null) cell.amountSum = Number(row.amount_sum);
      return cell;
    });
  }
}
