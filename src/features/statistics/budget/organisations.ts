import type { FeatureDb } from "../../../kernel/store/feature-db";

export type OrganisationKind = "recipient" | "internal";

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The organisations that receive statistics (a recipient, or an internal team). Several API
 * clients may belong to one: they share its allocation, so a new client of an organisation
 * brings no new budget. A client belongs to at most one organisation.
 */
export class Organisations {
  constructor(private readonly db: FeatureDb) {}

  async add(name: string, kind: OrganisationKind): Promise<Organisation> {
    if (!/^\S(.{0,98}\S)?$/.test(name)) throw new Error(`an organisation's name is 1 to 100 characters, without surrounding spaces`);
    if (kind !== "recipient" && kind !== "internal") throw new Error(`the kind is recipient or internal, got "${kind}"`);
    const rows = await this.db.query(
      `INSERT INTO statistics_organisation (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id, name, kind`,
      [name, kind],
    );
    if (!rows.length) throw new Error(`an organisation "${name}" already exists`);
    return rows[0] as Organisation;
  }

  /** By id or name; throws when there is none. */
  async get(idOrName: string): Promise<Organisation> {
    const [row] = await this.db.query(
      `SELECT id, name, kind FROM statistics_organisation WHERE ${UUID.test(idOrName) ? "id = $1::uuid" : "name = $1"}`,
      [idOrName],
    );
    if (!row) throw new Error(`no organisation "${idOrName}"`);
    return row as Organisation;
  }

  /** Puts a client (by id or name) in an organisation, moving it from any other. */
  async assignClient(clientIdOrName: string, organisationIdOrName: string): Promise<{ client: string; organisation: Organisation }> {
    const organisation = await this.get(organisationIdOrName);
    const [client] = await this.db.query(
      `SELECT id, name FROM api_client WHERE ${UUID.test(clientIdOrName) ? "id = $1::uuid" : "name = $1"}`,
      [clientIdOrName],
    );
    if (!client) throw new Error(`no client "${clientIdOrName}"`);
    await this.db.query(
      `INSERT INTO statistics_organisation_client (client_id, organisation_id) VALUES ($1, $2)
       ON CONFLICT (client_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id, assigned_at = now()`,
      [client.id, organisation.id],
    );
    return { client: String(client.name), organisation };
  }

  /** The organisation of a client, or null (such a client gets no statistics). */
  async ofClient(clientId: string): Promise<Organisation | null> {
    const [row] = await this.db.query(
      `SELECT o.id, o.name, o.kind FROM statistics_organisation_client c JOIN statistics_organisation o ON o.id = c.organisation_id WHERE c.client_id = $1`,
      [clientId],
    );
    return (row as Organisation | undefined) ?? null;
  }
}
