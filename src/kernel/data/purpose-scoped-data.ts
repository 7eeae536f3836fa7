import DataLoader from "dataloader";
import { GraphQLError } from "graphql";
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { CampaignEntry, Customer, GiftCampaign, NotificationSubscription, ServiceUsage } from "../model";
import type { NotificationChannel } from "../model/notification-subscription";
import { dataQueriesTotal } from "../../observability/metrics";
import { Purpose } from "../purposes/purpose";
import { customerRowRule } from "./customer-row-rule";
import type { DataScope } from "./data-scope";
import type { RowRule, SqlCondition } from "./row-rule";

export interface CustomerQuery {
  filter?: {
    prefecture?: string | null;
    createdFrom?: Date | null;
    createdTo?: Date | null;
    bornFrom?: string | null;
    bornTo?: string | null;
    emailDomain?: string | null;
  } | null;
  orderBy?: Array<{ createdAt?: "ASC" | "DESC" | null; fullName?: "ASC" | "DESC" | null; birthDate?: "ASC" | "DESC" | null }> | null;
  first: number;
  offset: number;
}

export interface AddressChange {
  postalCode: string;
  prefecture: string;
  streetAddress: string;
}

const ORDER_COLUMNS = { createdAt: "c.created_at", fullName: "c.full_name", birthDate: "c.birth_date" } as const;

/**
 * The only way resolvers reach personal data. Built per request for the declared purpose
 * once the gate has allowed the operation; every read joins the purpose's customer row
 * rule, and related rows are batched (DataLoader) so a list never costs N+1 queries.
 */
export class PurposeScopedData {
  constructor(
    private readonly db: DataSource,
    readonly scope: DataScope,
    /** the composed features' row rules (consent, disclosure, requests) */
    private readonly rowRules: readonly RowRule[],
  ) {}

  /** The customers this scope reaches, as an SQL condition on the customer alias (for feature stores). */
  customerRule(alias: string): SqlCondition {
    return customerRowRule(this.scope, alias, this.rowRules);
  }

  /**
   * Ids of the customers whose rows this request's reads returned (the audit trail records
   * them once the response carries data). Filled in `run`, so no read can skip it.
   */
  readonly released = new Set<string>();

  // ---- customers -------------------------------------------------------------------

  private readonly customerLoader = new DataLoader<string, Customer | null>(async (ids) => {
    const rows = await this.run(this.customers().andWhere("c.id IN (:...ids)", { ids: [...ids] }));
    const byId = new Map(rows.map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  customer(id: string): Promise<Customer | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.customerLoader.load(id);
  }

  async listCustomers({ filter, orderBy, first, offset }: CustomerQuery): Promise<Customer[]> {
    const qb = this.customers();
    if (filter?.prefecture) qb.andWhere("c.prefecture = :prefecture", { prefecture: filter.prefecture });
    if (filter?.createdFrom) qb.andWhere("c.created_at >= :createdFrom", { createdFrom: filter.createdFrom });
    if (filter?.createdTo) qb.andWhere("c.created_at < :createdTo", { createdTo: filter.createdTo });
    if (filter?.bornFrom) qb.andWhere("c.birth_date >= :bornFrom", { bornFrom: filter.bornFrom });
    if (filter?.bornTo) qb.andWhere("c.birth_date < :bornTo", { bornTo: filter.bornTo });
    if (filter?.emailDomain) qb.andWhere("lower(c.email) LIKE :domain", { domain: `%@${filter.emailDomain.toLowerCase()}` });
    for (const order of orderBy ?? []) {
      for (const [key, column] of Object.entries(ORDER_COLUMNS)) {
        const direction = order[key as keyof typeof ORDER_COLUMNS];
        if (direction) qb.addOrderBy(column, direction);
      }
    }
    qb.addOrderBy("c.id", "ASC").limit(first).offset(offset);
    const rows = await this.run(qb);
    for (const c of rows) this.customerLoader.prime(c.id, c);
    return rows;
  }

  /** `customer` rows this purpose may reach, alias `c`. */
  private customers(): SelectQueryBuilder<Customer> {
    const rule = customerRowRule(this.scope, "c", this.rowRules);
    return this.db.getRepository(Customer).createQueryBuilder("c").where(rule.sql, rule.params);
  }

  /** Rows of a customer-owned table, joined to the customers this purpose may reach. */
  private owned<T extends ObjectLiteral>(entity: new () => T, alias: string): SelectQueryBuilder<T> {
    const rule = customerRowRule(this.scope, "c", this.rowRules);
    return this.db
      .getRepository(entity)
      .createQueryBuilder(alias)
      .innerJoin(Customer, "c", `c.id = ${alias}.customer_id AND ${rule.sql}`, rule.params);
  }

  // ---- a customer's related rows ------------------------------------------------------

  private readonly usageLoader = this.groupedLoader(ServiceUsage, "su", "su.occurred_at DESC");
  private readonly entriesLoader = this.groupedLoader(CampaignEntry, "ce", "ce.entered_at DESC");
  private readonly subscriptionsLoader = this.groupedLoader(NotificationSubscription, "ns", "ns.channel ASC");

  serviceUsageOf(customerId: string): Promise<ServiceUsage[]> {
    return this.usageLoader.load(customerId);
  }
  campaignEntriesOf(customerId: string): Promise<CampaignEntry[]> {
    return this.entriesLoader.load(customerId);
  }
  subscriptionsOf(customerId: string): Promise<NotificationSubscription[]> {
    return this.subscriptionsLoader.load(customerId);
  }

  private groupedLoader<T extends ObjectLiteral & { customerId: string }>(entity: new () => T, alias: string, order: string) {
    return new DataLoader<string, T[]>(async (customerIds) => {
      const [column, direction] = order.split(" ") as [string, "ASC" | "DESC"];
      const rows = await this.run(
        this.owned(entity, alias).andWhere(`${alias}.customer_id IN (:...ids)`, { ids: [...customerIds] }).orderBy(column, direction),
      );
      const groups = new Map<string, T[]>(customerIds.map((id) => [id, []]));
      for (const row of rows) groups.get(row.customerId)?.push(row);
      return customerIds.map((id) => groups.get(id) ?? []);
    });
  }

  // ---- campaigns ----------------------------------------------------------------------

  private readonly campaignLoader = new DataLoader<string, GiftCampaign | null>(async (ids) => {
    const rows = await this.run(this.db.getRepository(GiftCampaign).createQueryBuilder("g").where("g.id IN (:...ids)", { ids: [...ids] }));
    const byId = new Map(rows.map((g) => [g.id, g]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  campaigns(): Promise<GiftCampaign[]> {
    return this.run(this.db.getRepository(GiftCampaign).createQueryBuilder("g").orderBy("g.starts_at", "DESC"));
  }

  campaign(id: string): Promise<GiftCampaign | null> {
    return isUuid(id) ? this.campaignLoader.load(id) : Promise.resolve(null);
  }

  private readonly winnersLoader = new DataLoader<string, CampaignEntry[]>(async (campaignIds) => {
    const rows = await this.run(
      this.owned(CampaignEntry, "ce")
        .andWhere("ce.won AND ce.campaign_id IN (:...ids)", { ids: [...campaignIds] })
        .orderBy("ce.entered_at", "ASC"),
    );
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
   * The object with this id, whatever its type, if the purpose may reach it: customers
   * through the row rule, their rows through their customer, campaigns freely.
   */
  async node(id: string): Promise<Customer | ServiceUsage | CampaignEntry | NotificationSubscription | GiftCampaign | null> {
    if (!isUuid(id)) return null;
    const customer = await this.customer(id);
    if (customer) return customer;
    const campaign = await this.campaign(id);
    if (campaign) return campaign;
    for (const [entity, alias] of [
      [ServiceUsage, "su"],
      [CampaignEntry, "ce"],
      [NotificationSubscription, "ns"],
    ] as const) {
      const [row] = await this.run(this.owned(entity as new () => ObjectLiteral, alias).andWhere(`${alias}.id = :id`, { id }));
      if (row) return row as ServiceUsage | CampaignEntry | NotificationSubscription;
    }
    return null;
  }

  // ---- changes --------------------------------------------------------------------------

  /** Corrects a reachable customer's address; null when the purpose cannot reach them. */
  async updateAddress(customerId: string, change: AddressChange): Promise<Customer | null> {
    const customer = await this.customer(customerId);
    if (!customer) return null;
    await this.run(
      this.db
        .createQueryBuilder()
        .update(Customer)
        .set({ postalCode: change.postalCode, prefecture: change.prefecture, streetAddress: change.streetAddress })
        .where("id = :id", { id: customer.id }),
    );
    this.customerLoader.clear(customer.id);
    return this.customer(customer.id);
  }

  /** Opts a reachable customer in or out of a channel; the row rule sees it on the next query. */
  async setSubscription(customerId: string, channel: NotificationChannel, optedIn: boolean): Promise<NotificationSubscription | null> {
    const customer = await this.customer(customerId);
    if (!customer) return null;
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    const [row] = await this.db.query(
      `INSERT INTO notification_subscription (customer_id, channel, opted_in, changed_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (customer_id, channel) DO UPDATE SET opted_in = EXCLUDED.opted_in, changed_at = EXCLUDED.changed_at
       RETURNING id, customer_id, channel, opted_in, changed_at`,
      [customer.id, channel, optedIn],
    );
    this.subscriptionsLoader.clear(customer.id);
    return Object.assign(new NotificationSubscription(), {
      id: row.id,
      customerId: row.customer_id,
      channel: row.channel,
      optedIn: row.opted_in,
      changedAt: row.changed_at,
    });
  }

  /** Records a winner's prize as shipped, once. Only a reachable winning entry. */
  async markPrizeShipped(entryId: string): Promise<CampaignEntry | null> {
    if (!isUuid(entryId)) return null;
    const [entry] = await this.run(this.owned(CampaignEntry, "ce").andWhere("ce.id = :id AND ce.won", { id: entryId }));
    if (!entry) return null;
    if (entry.shippedAt) throw new GraphQLError("This prize is already marked as shipped.", { extensions: { code: "BAD_USER_INPUT" } });
    entry.shippedAt = new Date();
    await this.run(this.db.createQueryBuilder().update(CampaignEntry).set({ shippedAt: entry.shippedAt }).where("id = :id", { id: entry.id }));
    return entry;
  }

  // ---- plumbing -----------------------------------------------------------------------

  /** Every statement runs here, so it is counted per purpose (tests prove refusals run none). */
  private run<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): Promise<T[]>;
  private run(qb: { execute(): Promise<unknown> }): Promise<unknown>;
  private run(qb: any): Promise<any> {
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
    return "getMany" in qb && qb.expressionMap?.queryType === "select" ? qb.getMany().then((rows: ObjectLiteral[]) => this.noteReleased(rows)) : qb.execute();
  }

  private noteReleased<T extends ObjectLiteral>(rows: T[]): T[] {
    for (const row of rows) {
      if (row instanceof Customer) this.released.add(row.id);
      else if (typeof row.customerId === "string") this.released.add(row.customerId);
    }
    return rows;
  }
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
