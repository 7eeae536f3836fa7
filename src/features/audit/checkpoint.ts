import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";

/** A chain head kept outside the database: `audit checkpoint --out FILE` writes one. */
export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  seq: string;
  /** the event's hash, hex */
  hash: string;
  createdAt: string;
  /** Ed25519 signature (base64) of `signedText(seq, hash)`, when a key is configured */
  signature: string | null;
  /** the public key that verifies it (SPKI PEM), for a reader without the gateway's settings */
  publicKey: string | null;
}

export const CHECKPOINT_FORMAT = "purpose-gateway/audit-checkpoint@1";

/** What the signature covers: the head, nothing the database could reinterpret. */
export const signedText = (seq: string, hash: string) => `${CHECKPOINT_FORMAT} ${seq} ${hash}`;

export function makeCheckpoint(head: { seq: string; hash: string }, keyPem: string | null, createdAt = new Date()): Checkpoint {
  const key = keyPem ? createPrivateKey(keyPem) : null;
  return {
    format: CHECKPOINT_FORMAT,
    seq: head.seq,
    hash: head.hash,
    createdAt: createdAt.toISOString(),
    signature: key ? sign(null, Buffer.from(signedText(head.seq, head.hash)), key).toString("base64") : null,
    publicKey: key ? (createPublicKey(key).export({ type: "spki", format: "pem" }) as string) : null,
  };
}

/**
 * Whether a checkpoint may be trusted. With a key configured, only a checkpoint signed by
 * that key is (the public key in the file is not trusted: anyone can sign with their own);
 * without one, an unsigned checkpoint is taken as the operator's own export.
 */
export function checkpointProblem(cp: { seq: string; hash: string; signature: string | null }, keyPem: string | null): string | null {
  if (!keyPem) return null;
  if (!cp.signature) return "the checkpoint is not signed, but AUDIT_CHECKPOINT_KEY_FILE is set";
  const publicKey: KeyObject = createPublicKey(createPrivateKey(keyPem));
  const ok = verify(null, Buffer.from(signedText(cp.seq, cp.hash)), publicKey, Buffer.from(cp.signature, "base64"));
  return ok ? null : "the checkpoint's signature does not verify with AUDIT_CHECKPOINT_KEY_FILE's key";
}

const fileSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  seq: z.string().regex(/^[1-9][0-9]{0,18}$/, "a sequence number"),
  hash: z.string().regex(/^[0-9a-f]{64}$/, "64 hex digits"),
  createdAt: z.string(),
  signature: z.string().nullable(),
  publicKey: z.string().nullable(),
});

/** Parses a checkpoint file's text; throws a message naming what is wrong. */
export function parseCheckpoint(text: string): Checkpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("the checkpoint file is not JSON");
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`not a checkpoint file: ${parsed.error.issues.map((i) => `${i.path.join(".") || "file"} ${i.message}`).join("; ")}`);
  return parsed.data;
}
