import { createHmac, timingSafeEqual } from "node:crypto";

/** The shared secret a recipient verifies notices with, and its id (to rotate keys). */
export interface NoticeSigning {
  keyId: string;
  secret: string;
}

export const SIGNATURE_HEADER = "pgw-signature";
export const KEY_ID_HEADER = "pgw-signature-key-id";

const NOTICE_TEXT = "The customer's personal data has been erased at their request (agreement 1.5). Erase every copy you hold.";

/**
 * An erasure notice as sent: the JSON body (with the notice's id, so a recipient can drop a
 * repeat of an at-least-once delivery, and the time it was sent, so it can refuse a replay)
 * and its headers, `Pgw-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>` and
 * `Pgw-Signature-Key-Id`. The body carries ids only, never a personal value.
 */
export function signNotice(
  notice: { notificationId: string; requestId: string; customerId: string },
  signing: NoticeSigning,
  sentAt: Date,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    type: "personal-data-erasure",
    noticeId: notice.notificationId,
    customerId: notice.customerId,
    requestId: notice.requestId,
    sentAt: sentAt.toISOString(),
    notice: NOTICE_TEXT,
  });
  return {
    body,
    headers: {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: `sha256=${hmac(signing.secret, body)}`,
      [KEY_ID_HEADER]: signing.keyId,
    },
  };
}

/** What a recipient runs (the README shows it): is `signature` this body's, under `secret`? */
export function verifyNotice(body: string | Buffer, signature: string | undefined, secret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature ?? "");
  if (!match) return false;
  return timingSafeEqual(Buffer.from(match[1], "hex"), Buffer.from(hmac(secret, body), "hex"));
}

function hmac(secret: string, body: string | Buffer): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}
