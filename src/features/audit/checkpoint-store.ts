import type { FeatureDb } from "../../kernel/store/feature-db";
import type { ChainAnchor } from "./verify-chain";

export interface StoredCheckpoint extends ChainAnchor {
  createdAt: Date;
  signature: string | null;
  note: string | null;
}

/** Records a verified head in the database (append-only), so `verify --from-checkpoint` can start there. */
export async function recordCheckpoint(
  db: FeatureDb,
  cp: { seq: string; hash: string; createdAt: string; signature: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO audit_checkpoint (seq, hash, created_at, signature) VALUES ($1, decode($2, 'hex'), $3, decode($4, 'base64'))`,
    [cp.seq, cp.hash, cp.createdAt, cp.signature],
  );
}

/** Recorded checkpoints (the migration's, `audit checkpoint`'s), newest first. */
export async function recentCheckpoints(db: FeatureDb, limit = 100): Promise<StoredCheckpoint[]> {
  const rows = await db.query(
    `SELECT seq::text AS seq, encode(hash, 'hex') AS hash, created_at, encode(signature, 'base64') AS signature, note
     FROM audit_checkpoint ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((row: any) => ({
    seq: row.seq,
    hash: row.hash,
    createdAt: row.created_at,
    signature: row.signature?.replace(/\n/g, "") ?? null,
    note: row.note,
  }));
}
