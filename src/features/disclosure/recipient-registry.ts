import type { FeatureDb } from "../../kernel/store/feature-db";
import { isPurpose, type Purpose } from "../../kernel/purposes/purpose";
import { isDisclosureGround, type DisclosureGround } from "../../kernel/purposes/disclosure-ground";
import { RECIPIENT_KINDS, type RecipientGrant, type RecipientKind } from "../../kernel/caller/recipient";

export interface RecipientInput {
  name: string;
  kind: RecipientKind;
  contractRef: string;
  grounds?: readonly string[];
  purposes?: readonly string[];
  fields: readonly string[];
}

export interface RecipientSummary extends RecipientGrant {
  createdAt: Date;
  updatedAt: Date;
  /** names of the API clients acting for this recipient */
  clients: string[];
}

const COORDINATE = /^[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/;
const NAME = /^[a-z0-9][a-z0-9._-]{1,62}$/i;

/**
 * The recipients registry: third parties (Section 3) and processors (Section 4), and which
 * API clients act for them. Validates everything it stores: an unknown ground, purpose or
 * malformed coordinate is an error, never silently dropped.
 */
export class RecipientRegistry {
  constructor(private readonly db: FeatureDb) {}

  async create(input: RecipientInput): Promise<RecipientSummary> {
    const r = validate(input);
    const [row] = await this.db.query(
      `INSERT INTO recipient (name, kind, contract_ref, grounds, purposes, fields) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
      [r.name, r.kind, r.contractRef, r.grounds, r.purposes, r.fields],
    );
    return (await this.get(row.id))!;
  }

  /** Replaces a recipient's contract reference, grounds/purposes and fields (a new contract). */
  async update(idOrName: string, change: Partial<Omit<RecipientInput, "name" | "kind">>): Promise<RecipientSummary> {
    const current = await this.get(idOrName);
    if (!current) throw new Error(`no recipient "${idOrName}"`);
    const r = validate({
      name: current.name,
      kind: current.kind,
      contractRef: change.contractRef ?? current.contractRef,
      grounds: change.grounds ?? current.grounds,
      purposes: change.purposes ?? current.purposes,
      fields: change.fields ?? current.fields,
    });
    await this.db.query(
      `UPDATE recipient SET contract_ref = $2, grounds = $3, purposes = $4, fields = $5, updated_at = now() WHERE id = $1`,
      [current.id, r.contractRef, r.grounds, r.purposes, r.fields],
    );
    return (await this.get(current.id))!;
  }

  async list(): Promise<RecipientSummary[]> {
    return (await this.db.query(`${SELECT} GROUP BY r.id ORDER BY r.name`)).map(toSummary);
  }

  async get(idOrName: string): Promise<RecipientSummary | null> {
    const [row] = await this.db.query(`${SELECT} WHERE ${isId(idOrName) ? "r.id = $1" : "r.name = $1"} GROUP BY r.id`, [idOrName]);
    return row ? toSummary(row) : null;
  }

  /** Makes an API client act for a recipient (or for nobody, with null): on its next request. */
  async attachClient(clientIdOrName: string, recipientIdOrName: string | null): Promise<void> {
    const recipient = recipientIdOrName === null ? null : await this.get(recipientIdOrName);
    if (recipientIdOrName !== null && !recipient) throw new Error(`no recipient "${recipientIdOrName}"`);
    // TypeORM answers an UPDATE with [rows, affected count]
    const [, updated] = await this.db.query(`UPDATE api_client SET recipient_id = $2 WHERE ${isId(clientIdOrName) ? "id" : "name"} = $1`, [
      clientIdOrName,
      recipient?.id ?? null,
    ]);
    if (!updated) throw new Error(`no client "${clientIdOrName}"`);
  }
}

/** The grant the gate works with, for an authenticated client's recipient. */
export async function loadRecipientGrant(db: FeatureDb, id: string): Promise<RecipientGrant | null> {
  const [row] = await db.query(`SELECT id, name, kind, contract_ref, grounds, purposes, fields FROM recipient WHERE id = $1`, [id]);
  return row ? toGrant(row) : null;
}

const SELECT = `
  SELECT r.id, r.name, r.kind, r.contract_ref, r.grounds, r.purposes, r.fields, r.created_at, r.updated_at,
         coalesce(array_agg(c.name ORDER BY c.name) FILTER (WHERE c.id IS NOT NULL), '{}') AS clients
  FROM recipient r LEFT JOIN api_client c ON c.recipient_id = r.id AND c.revoked_at IS NULL`;

function validate(
  input: RecipientInput,
): Required<RecipientInput> & { grounds: DisclosureGround[]; purposes: Purpose[]; fields: string[] } {
  if (!NAME.test(input.name)) throw new Error(`invalid recipient name "${input.name}" (letters, digits, . _ -)`);
  if (!RECIPIENT_KINDS.includes(input.kind)) throw new Error(`kind must be one of ${RECIPIENT_KINDS.join(", ")}`);
  const contractRef = input.contractRef.trim();
  if (!contractRef || contractRef.length > 200) throw new Error("a contract or agreement reference (1–200 characters) is required");
  const grounds = [...new Set(input.grounds ?? [])];
  const purposes = [...new Set(input.purposes ?? [])];
  const fields = [...new Set(input.fields)].sort();
  const badGrounds = grounds.filter((g) => !isDisclosureGround(g));
  if (badGrounds.length) throw new Error(`unknown ground(s): ${badGrounds.join(", ")}`);
  const badPurposes = purposes.filter((p) => !isPurpose(p));
  if (badPurposes.length) throw new Error(`unknown purpose(s): ${badPurposes.join(", ")}`);
  const badFields = fields.filter((f) => !COORDINATE.test(f));
  if (badFields.length) throw new Error(`fields must be coordinates like Customer.email: ${badFields.join(", ")}`);
  if (input.kind === "THIRD_PARTY" && (purposes.length || !grounds.length)) {
    throw new Error("a third party is registered with --grounds (Section 3), not purposes");
  }
  if (input.kind === "PROCESSOR" && (grounds.length || !purposes.length)) {
    throw new Error("a processor is registered with --purposes (Section 4), not grounds");
  }
  return {
    name: input.name,
    kind: input.kind,
    contractRef,
    grounds: grounds as DisclosureGround[],
    purposes: purposes as Purpose[],
    fields,
  };
}

function toGrant(row: any): RecipientGrant {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    contractRef: row.contract_ref,
    // filtered again on the way in: a value edited by hand into the table grants nothing
    grounds: (row.grounds as string[]).filter(isDisclosureGround),
    purposes: (row.purposes as string[]).filter(isPurpose),
    fields: row.fields as string[],
  };
}

function toSummary(row: any): RecipientSummary {
  return { ...toGrant(row), createdAt: row.created_at, updatedAt: row.updated_at, clients: row.clients };
}

function isId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
