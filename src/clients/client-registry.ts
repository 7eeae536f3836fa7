import type { DataSource } from "typeorm";
import { IsNull } from "typeorm";
import { ApiClient } from "./api-client-entity";
import type { Caller } from "../kernel/gate/governance-input";
import { isPurpose, type Purpose } from "../kernel/purposes/purpose";
import { ALL_ROLES, isComplianceRole } from "../kernel/caller/roles";
import { loadRecipientGrant } from "../features/disclosure/recipient-registry";
import { generateApiKey, hashApiKey, keyPrefix, looksLikeApiKey } from "./api-key";

export interface ClientSummary {
  id: string;
  name: string;
  keyPrefix: string;
  purposes: Purpose[];
  createdAt: Date;
  revokedAt: Date | null;
  roles?: string[];
}

/** API clients: creation (key shown once), listing, revocation and authentication. */
export class ClientRegistry {
  constructor(private readonly db: DataSource) {}

  async create(
    name: string,
    purposes: readonly string[],
    options: { roles?: readonly string[] } = {},
  ): Promise<{ client: ClientSummary; key: string }> {
    if (!/^[a-z0-9][a-z0-9._-]{1,62}$/i.test(name)) throw new Error(`invalid client name "${name}" (letters, digits, . _ -)`);
    const unknown = purposes.filter((p) => !isPurpose(p));
    if (unknown.length) throw new Error(`unknown purpose(s): ${unknown.join(", ")}`);
    const roles = validRoles(options.roles ?? []);
    const key = generateApiKey();
    const client = await this.db
      .getRepository(ApiClient)
      .save({
        name,
        keyHash: hashApiKey(key),
        keyPrefix: keyPrefix(key),
        purposes: [...new Set(purposes)] as Purpose[],
        roles,
        createdAt: new Date(),
        revokedAt: null,
      })
      .catch((error: unknown) => {
        // the unique index speaks in constraint names; the caller wants to know what to do
        if (isUniqueViolation(error, "api_client_name_key"))
          throw new Error(
            `a client named "${name}" already exists (rotate its key with \`clients rotate ${name}\`, or choose another name)`,
          );
        throw error;
      });
    return { client: summary(client), key };
  }

  async list(): Promise<ClientSummary[]> {
    const clients = await this.db.getRepository(ApiClient).find({ order: { createdAt: "ASC" } });
    return clients.map(summary);
  }

  /** Revokes by id or name. Takes effect on the next request. */
  async revoke(idOrName: string): Promise<ClientSummary | null> {
    const repo = this.db.getRepository(ApiClient);
    const client = await repo.findOne({
      where: isId(idOrName) ? { id: idOrName, revokedAt: IsNull() } : { name: idOrName, revokedAt: IsNull() },
    });
    if (!client) return null;
    client.revokedAt = new Date();
    await repo.save(client);
    return summary(client);
  }

  /** Replaces a client's key (the old one stops working at once) and returns the new key. */
  async rotate(idOrName: string): Promise<{ client: ClientSummary; key: string }> {
    const repo = this.db.getRepository(ApiClient);
    const client = await repo.findOne({ where: isId(idOrName) ? { id: idOrName } : { name: idOrName } });
    if (!client) throw new Error(`no client "${idOrName}"`);
    const key = generateApiKey();
    Object.assign(client, { keyHash: hashApiKey(key), keyPrefix: keyPrefix(key), revokedAt: null });
    await repo.save(client);
    return { client: summary(client), key };
  }

  /** Replaces the purposes a client is granted; takes effect on its next request. */
  async setPurposes(idOrName: string, purposes: readonly string[]): Promise<ClientSummary> {
    const unknown = purposes.filter((p) => !isPurpose(p));
    if (unknown.length) throw new Error(`unknown purpose(s): ${unknown.join(", ")}`);
    if (purposes.length === 0) throw new Error("a client needs at least one purpose (revoke it to take everything away)");
    const repo = this.db.getRepository(ApiClient);
    const client = await repo.findOne({ where: isId(idOrName) ? { id: idOrName } : { name: idOrName } });
    if (!client) throw new Error(`no client "${idOrName}"`);
    client.purposes = [...new Set(purposes)] as Purpose[];
    await repo.save(client);
    return summary(client);
  }

  /** Replaces a client's compliance roles (e.g. PRIVACY_OFFICER); takes effect on its next request. */
  async setRoles(idOrName: string, roles: readonly string[]): Promise<ClientSummary> {
    const repo = this.db.getRepository(ApiClient);
    const client = await repo.findOne({ where: isId(idOrName) ? { id: idOrName } : { name: idOrName } });
    if (!client) throw new Error(`no client "${idOrName}"`);
    client.roles = validRoles(roles);
    await repo.save(client);
    return summary(client);
  }

  /** The active client holding this key, or null. Every request looks it up: revocation is immediate. */
  async authenticate(key: string): Promise<Caller | null> {
    if (!looksLikeApiKey(key)) return null;
    const client = await this.db.getRepository(ApiClient).findOne({ where: { keyHash: hashApiKey(key), revokedAt: IsNull() } });
    if (!client) return null;
    // A client acting for a recipient is that recipient's: if the grant cannot be loaded, it is nobody.
    const recipient = client.recipientId ? await loadRecipientGrant(this.db, client.recipientId) : null;
    if (client.recipientId && !recipient) return null;
    return {
      id: client.id,
      name: client.name,
      purposes: client.purposes.filter(isPurpose),
      recipient,
      roles: (client.roles ?? []).filter(isComplianceRole),
    };
  }
}

function validRoles(roles: readonly string[]): string[] {
  const unknown = roles.filter((r) => !isComplianceRole(r));
  if (unknown.length) throw new Error(`unknown role(s): ${unknown.join(", ")} (known: ${ALL_ROLES.join(", ")})`);
  return [...new Set(roles)];
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  return (e.driverError?.code ?? e.code) === "23505" && (e.driverError?.constraint ?? e.constraint) === constraint;
}

function isId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function summary(c: ApiClient): ClientSummary {
  return {
    id: c.id,
    name: c.name,
    keyPrefix: c.keyPrefix,
    purposes: c.purposes,
    createdAt: c.createdAt,
    revokedAt: c.revokedAt,
    roles: c.roles ?? [],
  };
}
