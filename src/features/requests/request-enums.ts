import { registerEnumType } from "type-graphql";
import { correctableColumns } from "../../kernel/data/correction";
import { CUSTOMER } from "../../kernel/personal-data/customer-tables";

export enum DataSubjectRequestKind {
  DISCLOSURE = "DISCLOSURE",
  CORRECTION = "CORRECTION",
  DELETION = "DELETION",
}

export enum DataSubjectRequestStatus {
  RECEIVED = "RECEIVED",
  IN_PROGRESS = "IN_PROGRESS",
  COMPLETED = "COMPLETED",
  REFUSED = "REFUSED",
}

/**
 * The customer fields a correction may change: derived from the declaration (every customer
 * column declared with a `correction`), named in UPPER_SNAKE_CASE (FULL_NAME, BIRTH_DATE …).
 */
export const CORRECTABLE_KEYS: ReadonlyMap<string, string> = new Map(correctableColumns(CUSTOMER).map(([key]) => [upperSnake(key), key]));
export const CorrectableField = Object.freeze(Object.fromEntries([...CORRECTABLE_KEYS.keys()].map((name) => [name, name]))) as Readonly<
  Record<string, string>
>;
export type CorrectableField = string;

function upperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export enum ErasureNotificationStatus {
  PENDING = "PENDING",
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
  MANUAL = "MANUAL",
}

registerEnumType(DataSubjectRequestKind, { name: "DataSubjectRequestKind", description: "What the customer asks for (agreement 1.5)." });
registerEnumType(DataSubjectRequestStatus, { name: "DataSubjectRequestStatus" });
registerEnumType(CorrectableField, { name: "CorrectableField", description: "Customer fields a correction may change." });
registerEnumType(ErasureNotificationStatus, {
  name: "ErasureNotificationStatus",
  description:
    "PENDING: will be (re)tried; DELIVERED; FAILED: gave up after the last retry; MANUAL: the recipient has no endpoint, notify by hand.",
});

export const OPEN_STATUSES = [DataSubjectRequestStatus.RECEIVED, DataSubjectRequestStatus.IN_PROGRESS] as const;
