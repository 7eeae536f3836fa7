import DataLoader from "dataloader";
import { GraphQLError } from "graphql";
import { CampaignEntry, Customer, GiftCampaign, NotificationSubscription, ServiceUsage } from "../model";
import type { NotificationChannel } from "../model/notification-subscription";
import { MODEL_CLASSES } from "../model";
import { dataQueriesTotal } from "../../observability/metrics";
import { KernelCode } from "../errors/catalogue";
import { Purpose } from "../purposes/purpose";
import { isUuid } from "../validation/uuid";
import { customerRowRule } from "./customer-row-rule";
import type { DataScope } from "./data-scope";
import type { KernelData } from "./kernel-data";
import { ReleasedCustomers } from "./released";
import type { SqlCondition } from "./row-rule";
import { hydrate, selectList } from "./select-sql";
import type { Selection } from "./selection";
import { applyCorrections, type AppliedCorrection, type CorrectionChange } from "./correction";
import { buildDisclosureExport } from "./disclosure-export";
import { eraseCustomer } from "./erasure";
import { namedQuery, type RawQuery } from "./raw-query";
import { readRecords, type LinkedRecord, type RecordQuery } from "./records";
import { rawHandleOf, type FeatureTx } from "../store/feature-db";

export interface CustomerQuery {
  filter?: {
    prefecture?: string | null;
    createdFrom?: Date | null;
    createdTo?: Date | null;
    bornFrom?: string | null;
    bornTo?: string | null;
    emailDomain?: string | null;
  } | null;
  orderBy?: ReadonlyArray<{
    createdAt?: "ASC" | "DESC" | null;
    fullName?: "ASC" | "DESC" | null;
    birthDate?: "ASC" | "DESC" | null;
  }> | null;
  first: number;
  /** keyset pagination: the id of the last customer of the previous page */
  after?: string | null;
  offset?: number;
}

export interface AddressChange {
  postalCode: string;
  prefecture: string;
  streetAddress: string;
}

const ORDER_COLUMNS = { createdAt: "created_at", fullName: "full_name", birthDate: "birth_date" } as const;
type OrderKey = keyof typeof ORDER_COLUMNS;

/**
 * The only way resolvers reach customers' data. Built per request for the declared purpose
 * once the gate has allowed the operation, and frozen. Every read is one SQL statement that
 * joins the purpose's customer row rule and loads only the columns the operation reads: a
 * customer and the rows of theirs it reads come in one statement, a page of customers too,
 * and rows reached another way are batched (DataLoader), so a list never costs N+1 queries.
 * Every customer whose data a read returns is recorded in `released` for the audit trail.
 */
export class PurposeScopedData {
  /** Customers whose data this request's reads returned (add-only). */
  readonly released = new ReleasedCustomers();

  constructor(
    private readonly kernel: KernelData,
    readonly scope: DataScope,
  ) {
    // set once: no resolver can swap the scope, the released customers or the loaders
    Object.freeze(this);
  }

  /** The customers this scope reaches, as an SQL condition on the customer alias (named parameters). */
  customerRule(alias: string): SqlCondition {
    return customerRowRule(this.scope, alias, this.kernel.rowRules);
  }

  private selection(table: string, extraColumns?: readonly string[]): Selection {
    return this.kernel.selection(this.scope.decision?.reach ?? null, table, extraColumns);
  }

  // ---- customers -------------------------------------------------------------------

  private readonly customerLoader = new DataLoader<string, Customer | null>(async (ids) => {
    // One id (the usual `customer(id:)`) is compared with `=`: PostgreSQL then plans the
    // prepared statement once and reuses the plan (a generic plan: a key lookup costs the same
    // for any id). With `= ANY(array)` it would re-plan it on every execution (a custom plan
    // costs less for a one-element array than the generic plan's guess), which cost more than
    // running it.
    const rows =
      ids.length === 1
        ? await this.customerRows("byOneId", { id: ids[0] }, (rule) => `WHERE (${rule}) AND c.id = :id::uuid`)
        : await this.customerRows("byId", { ids: [...ids] }, (rule) => `WHERE (${rule}) AND c.id = ANY(:ids::uuid[])`);
    const byId = new Map(rows.map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  customer(id: string): Promise<Customer | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.customerLoader.load(id.toLowerCase());
  }

  async listCustomers({ filter, orderBy, first, after, offset = 0 }: CustomerQuery): Promise<Customer[]> {
    const conditions: string[] = [];
    const params: Record<string, unknown> = { first, offset };
    const add = (value: unknown, name: string, condition: string) => {
      if (value === null || value === undefined || value === "") return;
      conditions.push(condition);
      params[name] = value;
    };
    add(filter?.prefecture, "prefecture", "c.prefecture = :prefecture");
    add(filter?.createdFrom, "createdFrom", "c.created_at >= :createdFrom::timestamptz");
    add(filter?.createdTo, "createdTo", "c.created_at < :createdTo::timestamptz");
    add(filter?.bornFrom, "bornFrom", "c.birth_date >= :bornFrom::date");
    add(filter?.bornTo, "bornTo", "c.birth_date < :bornTo::date");
    if (filter?.emailDomain) add(`%@${escapeLike(filter.emailDomain.toLowerCase())}`, "domain", `lower(c.email) LIKE :domain ESCAPE '\\'`);

    const keys: Array<[OrderKey, "ASC" | "DESC"]> = [];
    for (const order of orderBy ?? []) {
      for (const key of Object.keys(ORDER_COLUMNS) as OrderKey[]) {
        const direction = order[key];
        if (direction && !keys.some(([k]) => k === key)) keys.push([key, direction]);
      }
    }
    const sort: Array<[string, "ASC" | "DESC"]> = [
      ...keys.map(([k, d]) => [ORDER_COLUMNS[k], d] as [string, "ASC" | "DESC"]),
      ["id", "ASC"],
    ];
    if (after) {
      // Keyset pagination: rows after the cursor's row in the page order. The cursor row must
      // itself be one this scope reaches (else its values are NULL and nothing follows it): a
      // cursor is no oracle. Its values come from uncorrelated subqueries, which PostgreSQL
      // evaluates once (an InitPlan) and uses as an index bound, so a page deep in the list
      // costs what the first one does (a correlated EXISTS would test every earlier row).
      const rule = this.customerRule("a");
      params.after = after;
      Object.assign(params, rule.params);
      const cursorRow = (columns: string) => `(SELECT ${columns} FROM customer a WHERE a.id = :after::uuid AND (${rule.sql}))`;
      if (sort.every(([, direction]) => direction === sort[0][1])) {
        // one direction: a row comparison, which a btree index on the sort columns serves
        const columns = sort.map(([col]) => col);
        conditions.push(
          `(${columns.map((col) => `c.${col}`).join(", ")}) ${sort[0][1] === "ASC" ? ">" : "<"} ${cursorRow(columns.map((col) => `a.${col}`).join(", "))}`,
        );
      } else {
        const later = sort.map((_, i) =>
          [
            ...sort.slice(0, i).map(([col]) => `c.${col} = ${cursorRow(`a.${col}`)}`),
            `c.${sort[i][0]} ${sort[i][1] === "ASC" ? ">" : "<"} ${cursorRow(`a.${sort[i][0]}`)}`,
          ].join(" AND "),
        );
        conditions.push(`((${later.join(") OR (")}))`);
      }
    }
    const where = conditions.map((c) => `AND ${c}`).join(" ");
    const order = sort.map(([col, dir]) => `c.${col} ${dir}`).join(", ");
    const rows = await this.customerRows(`list:${where}:${order}`, params, (rule) => {
      // The page's ids first, then only those customers' rows. Under a rule that reaches few
      // customers (INDIVIDUAL_AGREEMENT: 1 in 10) finding 100 means passing about 1,000; the
      // inner query passes them in customer_active_idx and the rule's own indexes (index-only,
      // a few pages), where reading every passed customer's row cost a heap page each once
      // the table outgrew the buffer cache. The rule holds inside, in the same statement and
      // snapshot, so the outer query reads exactly the customers it chose.
      const page = `SELECT c.id FROM customer c WHERE (${rule}) ${where} ORDER BY ${order} LIMIT :first OFFSET :offset`;
      return `WHERE c.id IN (${page}) ORDER BY ${order}`;
    });
    for (const c of rows) this.customerLoader.prime(c.id, c);
    return rows;
  }

  /**
   * One statement: the customers this scope reaches (alias c), with the selected columns and
   * rows; `tail` gives the statement's WHERE… (a narrowing of the rule, or a page chosen under it).
   */
  private async customerRows(kind: string, params: Record<string, unknown>, tail: (rule: string) => string): Promise<Customer[]> {
    const selection = this.selection("customer");
    const rule = this.customerRule("c");
    const statement = this.kernel.statements.get(
      `customer|${kind}|${selection.shape}|${rule.sql}`,
      () => `SELECT ${selectList(selection, "c")} FROM customer c ${tail(rule.sql)}`,
    );
    const rows = await this.run(statement, { ...rule.params, ...params });
    return rows.map((row) => {
      const customer = hydrate<Customer>(selection, row, Customer.prototype);
      this.released.add(customer.id);
      return customer;
    });
  }

  // ---- a customer's related rows ------------------------------------------------------

  /**
   * The rows of a customer relation (`serviceUsage`, `consents` …). They come embedded in
   * the customer's own statement when the operation reads them; a customer reached without
   * them (never, for one operation's consistent selection) has them loaded in one batch.
   */
  async related<T>(customer: Customer, field: string): Promise<T[]> {
    const embedded = (customer as unknown as Record<string, unknown>)[field];
    if (Array.isArray(embedded)) return embedded as T[];
    return (await this.relationLoader(field).load(customer.id)) as T[];
  }

  private readonly relationLoaders = new Map<string, DataLoader<string, object[]>>();

  private relationLoader(field: string): DataLoader<string, object[]> {
    let loader = this.relationLoaders.get(field);
    if (!loader) {
      const relation = this.kernel.registry.customerRelations.get(field);
      if (!relation) throw new Error(`no customer relation ${field}`);
      const link = relation.table.link;
      if (link.kind !== "column") throw new Error(`${relation.table.table} is not linked by a column`);
      loader = new DataLoader<string, object[]>(async (customerIds) => {
        const rows = await this.ownedRows(
          relation.table.table,
          `x.${link.column} = ANY(:ids::uuid[])`,
          { ids: [...customerIds] },
          relation.order,
          customerIds,
        );
        const groups = new Map<string, object[]>(customerIds.map((id) => [id, []]));
        for (const row of rows) groups.get((row as { customerId: string }).customerId)?.push(row);
        return customerIds.map((id) => groups.get(id) ?? []);
      });
      this.relationLoaders.set(field, loader);
    }
    return loader;
  }

  /**
   * Rows of a customer-linked table (alias x) whose customer this scope reaches, joined to
   * the row rule. When the customers are known (`customerIds`), the list is repeated on the
   * customer side, so PostgreSQL reads those customers by key instead of scanning them all.
   */
  private async ownedRows(
    tableName: string,
    where: string,
    params: Record<string, unknown>,
    order: string,
    customerIds?: readonly string[],
    extraColumns?: readonly string[],
  ): Promise<object[]> {
    const selection = this.selection(tableName, extraColumns);
    const link = selection.table.link;
    if (link.kind !== "column") throw new Error(`${tableName} is not linked by a column`);
    const rule = this.customerRule("c");
    const known = customerIds ? " AND c.id = ANY(:customerIds::uuid[])" : "";
    const orderBy = order
      .split(",")
      .map((part) => `x.${part.trim()}`)
      .join(", ");
    const statement = this.kernel.statements.get(
      `owned|${tableName}|${where}|${known}|${order}|${selection.shape}|${rule.sql}`,
      () =>
        `SELECT ${selectList(selection, "x")} FROM ${tableName} x JOIN customer c ON c.id = x.${link.column}${known} AND (${rule.sql}) WHERE ${where} ORDER BY ${orderBy}`,
    );
    const rows = await this.run(statement, { ...rule.params, ...params, ...(customerIds ? { customerIds: [...customerIds] } : {}) });
    const prototype = MODEL_CLASSES.get(tableName)?.prototype ?? null;
    return rows.map((row) => {
      const value = hydrate<{ customerId: string }>(selection, row, prototype);
      this.released.add(value.customerId);
      return value;
    });
  }

  // ---- campaigns ----------------------------------------------------------------------

  private readonly campaignLoader = new DataLoader<string, GiftCampaign | null>(async (ids) => {
    const rows = await this.campaignRows("AND g.id = ANY(:ids::uuid[])", { ids: [...ids] });
    const byId = new Map(rows.map((g) => [g.id, g]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  /** Gift campaigns are public: every column, for anyone. */
  campaigns(): Promise<GiftCampaign[]> {
    return this.campaignRows("ORDER BY g.starts_at DESC, g.id", {});
  }

  campaign(id: string): Promise<GiftCampaign | null> {
    return isUuid(id) ? this.campaignLoader.load(id.toLowerCase()) : Promise.resolve(null);
  }

  private async campaignRows(tail: string, params: Record<string, unknown>): Promise<GiftCampaign[]> {
    const statement = this.kernel.statements.get(
      `campaigns|${tail}`,
      () => `SELECT g.id, g.name, g.prize, g.starts_at AS "startsAt", g.ends_at AS "endsAt" FROM gift_campaign g WHERE TRUE ${tail}`,
    );
    return (await this.run(statement, params)).map((row) => Object.assign(Object.create(GiftCampaign.prototype) as GiftCampaign, row));
  }

  private readonly winnersLoader = new DataLoader<string, CampaignEntry[]>(async (campaignIds) => {
    const rows = (await this.ownedRows(
      "campaign_entry",
      "x.won AND x.campaign_id = ANY(:campaignIds::uuid[])",
      { campaignIds: [...campaignIds] },
      "entered_at ASC, id",
      undefined,
      ["campaign_id"], // to group the winners by campaign
    )) as CampaignEntry[];
    return campaignIds.map((id) => rows.filter((r) => r.campaignId === id));
  });

  /** A campaign's winning entries: under PRIZE_DELIVERY the only road to a customer. */
  winnersOf(campaignId: string): Promise<CampaignEntry[]> {
    return this.winnersLoader.load(campaignId);
  }

  /** The customer of an entry. Under PRIZE_DELIVERY only a winning entry leads to its customer. */
  async customerOfEntry(entry: CampaignEntry): Promise<Customer | null> {
    if (this.scope.purpose === Purpose.PRIZE_DELIVERY && !entry.won) return null;
    return this.customerLoader.load(entry.customerId);
  }

  campaignOfEntry(entry: CampaignEntry): Promise<GiftCampaign | null> {
    return this.campaignLoader.load(entry.campaignId);
  }

  // ---- any object by id ----------------------------------------------------------------

  /**
   * The object with this id, whatever its type, if the purpose may reach it AND may read
   * objects of its type: customers through the row rule, their rows through their customer,
   * campaigns freely. A type the purpose may not read (its `id` not permitted) is never
   * looked up, so even `__typename` says nothing about whether such an object exists.
   */
  async node(id: string): Promise<Customer | ServiceUsage | CampaignEntry | NotificationSubscription | GiftCampaign | null> {
    if (!isUuid(id)) return null;
    const readable = (type: string) => {
      const allowed = this.scope.decision?.input.policy.allowedPurposes(`${type}.id`);
      return allowed === null || (allowed !== undefined && this.scope.purpose !== null && allowed.includes(this.scope.purpose));
    };
    if (readable("Customer")) {
      const customer = await this.customer(id);
      if (customer) return customer;
    }
    const campaign = await this.campaign(id);
    if (campaign) return campaign;
    for (const [table, type] of [
      ["service_usage", "ServiceUsage"],
      ["campaign_entry", "CampaignEntry"],
      ["notification_subscription", "NotificationSubscription"],
    ] as const) {
      if (!readable(type)) continue;
      const [row] = await this.ownedRows(table, "x.id = :id::uuid", { id }, "id");
      if (row) return row as ServiceUsage | CampaignEntry | NotificationSubscription;
    }
    return null;
  }

  // ---- changes --------------------------------------------------------------------------

  /** Corrects a reachable customer's address; null when the purpose cannot reach them. */
  async updateAddress(customerId: string, change: AddressChange): Promise<Customer | null> {
    if (!isUuid(customerId)) return null;
    const rule = this.customerRule("c");
    const statement = this.kernel.statements.get(
      `address|${rule.sql}`,
      () =>
        `UPDATE customer c SET postal_code = :postalCode, prefecture = :prefecture, street_address = :streetAddress WHERE c.id = :id::uuid AND (${rule.sql}) RETURNING c.id`,
    );
    const [updated] = await this.run(statement, { ...rule.params, id: customerId, ...change });
    if (!updated) return null;
    this.customerLoader.clear(customerId.toLowerCase());
    return this.customer(customerId);
  }

  /** Opts a reachable customer in or out of a channel; the row rule sees it on the next query. */
  async setSubscription(customerId: string, channel: NotificationChannel, optedIn: boolean): Promise<NotificationSubscription | null> {
    const customer = await this.customer(customerId);
    if (!customer) return null;
    const selection = this.selection("notification_subscription");
    const statement = this.kernel.statements.get(
      `subscribe|${selection.shape}`,
      () =>
        `INSERT INTO notification_subscription AS x (customer_id, channel, opted_in, changed_at) VALUES (:customerId::uuid, :channel, :optedIn, now())
       ON CONFLICT (customer_id, channel) DO UPDATE SET opted_in = EXCLUDED.opted_in, changed_at = EXCLUDED.changed_at
       RETURNING ${selectList(selection, "x")}`,
    );
    const [row] = await this.run(statement, { customerId: customer.id, channel, optedIn });
    this.relationLoaders.get("subscriptions")?.clear(customer.id);
    return hydrate<NotificationSubscription>(selection, row, NotificationSubscription.prototype);
  }

  /** Records a winner's prize as shipped, once. Only a reachable winning entry. */
  async markPrizeShipped(entryId: string): Promise<CampaignEntry | null> {
    if (!isUuid(entryId)) return null;
    const [entry] = (await this.ownedRows("campaign_entry", "x.id = :id::uuid AND x.won", { id: entryId }, "id")) as CampaignEntry[];
    if (!entry) return null;
    const selection = this.selection("campaign_entry");
    const statement = this.kernel.statements.get(
      `shipped|${selection.shape}`,
      () =>
        `UPDATE campaign_entry x SET shipped_at = now() WHERE x.id = :id::uuid AND x.shipped_at IS NULL RETURNING ${selectList(selection, "x")}`,
    );
    const [row] = await this.run(statement, { id: entry.id });
    if (!row) throw new GraphQLError("This prize is already marked as shipped.", { extensions: { code: KernelCode.BAD_USER_INPUT } });
    return hydrate<CampaignEntry>(selection, row, CampaignEntry.prototype);
  }

  // ---- records of features' customer-linked tables (requests …) ---------------------------

  /**
   * Rows of a declared customer-linked table, with personal columns only where this scope
   * reaches the row's customer or the caller holds the table's declared compliance role.
   * Every row's customer is recorded as released: even its facts are about them.
   */
  async records(tableName: string, query: RecordQuery, tx?: FeatureTx): Promise<LinkedRecord[]> {
    const table = this.kernel.registry.table(tableName);
    const role = table.complianceRole;
    const roleGranted =
      role !== undefined && this.scope.purpose === Purpose.DATA_SUBJECT_REQUEST && (this.scope.caller?.roles ?? []).some((r) => r === role);
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    const rows = await readRecords(this.raw(tx), this.kernel.registry, table, this.customerRule("c"), roleGranted, query);
    return rows.map(({ personalValues: _personal, ...row }) => {
      this.released.add(row.customerId);
      return row as LinkedRecord;
    });
  }

  /** Whether the store has ever held a customer with this id (even erased): anyone may ask what is left. */
  async knownCustomer(customerId: string, tx?: FeatureTx): Promise<boolean> {
    if (!isUuid(customerId)) return false;
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    const [row] = await namedQuery(this.raw(tx), `SELECT 1 AS known FROM customer WHERE id = :id::uuid`, { id: customerId });
    return row !== undefined;
  }

  /** Locks the customer's row in the caller's transaction and says whether this scope reaches them. */
  async lockCustomer(customerId: string, tx: FeatureTx): Promise<{ exists: boolean; reachable: boolean; erased: boolean }> {
    const rule = this.customerRule("c");
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    const [row] = await namedQuery<{ reachable: boolean; erased: boolean }>(
      this.raw(tx),
      `SELECT (${rule.sql}) AS reachable, c.erased_at IS NOT NULL AS erased FROM customer c WHERE c.id = :customerId::uuid FOR UPDATE`,
      { ...rule.params, customerId },
    );
    return row
      ? { exists: true, reachable: row.reachable === true, erased: row.erased }
      : { exists: false, reachable: false, erased: false };
  }

  /** The customer's disclosure export (agreement 1.5), in the caller's transaction. */
  async exportCustomer(customerId: string, requestId: string, tx: FeatureTx): Promise<Record<string, unknown>> {
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    const rule = this.customerRule("c");
    const exported = await buildDisclosureExport(this.raw(tx), this.kernel.registry, rule, customerId, requestId);
    if (exported.customer && (exported.customer as Record<string, unknown>).fullName != null) this.released.add(customerId);
    return exported;
  }

  /** Applies a customer's corrections, if this scope reaches them; returns the values before and after. */
  async correctCustomer(customerId: string, changes: readonly CorrectionChange[], tx: FeatureTx): Promise<AppliedCorrection[] | null> {
    const state = await this.lockCustomer(customerId, tx);
    if (!state.reachable) return null;
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    const applied = await applyCorrections(this.raw(tx), this.kernel.registry.customer, customerId, changes);
    this.released.add(customerId);
    return applied;
  }

  /** Erases the customer everywhere (as the declaration says per table), in the caller's transaction. */
  async eraseCustomer(customerId: string, tx: FeatureTx): Promise<void> {
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    await eraseCustomer(this.raw(tx), this.kernel.registry, customerId);
    this.customerLoader.clear(customerId.toLowerCase());
  }

  private raw(tx: FeatureTx | undefined): RawQuery {
    if (!tx) return this.kernel.db;
    const handle = rawHandleOf(tx);
    if (!handle) throw new Error("not a transaction of a feature's handle");
    return handle;
  }

  // ---- plumbing -----------------------------------------------------------------------

  /** Every statement runs here, so it is counted per purpose (tests prove refusals run none). */
  private run(
    statement: Parameters<KernelData["runner"]["rows"]>[0],
    params: Record<string, unknown>,
  ): Promise<Array<Record<string, unknown>>> {
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    return this.kernel.runner.rows(statement, params);
  }
}

/** A LIKE pattern matching `text` literally (backslash is the escape character). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
