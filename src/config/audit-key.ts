import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * `AUDIT_CHECKPOINT_KEY_FILE`: a PEM file with an Ed25519 private key (`openssl genpkey
 * -algorithm ed25519`). `audit checkpoint` signs the chain heads it records with it, and
 * `audit verify` refuses a checkpoint whose signature does not verify. Read and checked at
 * start-up; the PEM text is kept (a settings object holds plain values).
 */
export function checkpointKeyFile(value: string | undefined): string | null {
  if (value === undefined) return null;
  let pem: string;
  try {
    pem = readFileSync(value.trim(), "utf8");
  } catch (error) {
    throw new Error(`must be a readable file (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    throw new Error("must hold a PEM private key");
  }
  if (type !== "ed25519") throw new Error(`must hold an Ed25519 private key, got ${type}`);
  return pem;
}
