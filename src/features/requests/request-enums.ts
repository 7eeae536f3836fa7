import { registerEnumType } from "type-graphql";

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

/** The customer fields a correction may change, with their columns and validation. */
export enum CorrectableField {
  FULL_NAME = "FULL_NAME",
  EMAIL = "EMAIL",
  PHONE = "PHONE",
  POSTAL_CODE = "POSTAL_CODE",
  PREFECTURE = "PREFECTURE",
  STREET_ADDRESS = "STREET_ADDRESS",
  BIRTH_DATE = "BIRTH_DATE",
  GENDER = "GENDER",
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
  description: "PENDING: will be (re)tried; DELIVERED; FAILED: gave up after the last retry; MANUAL: the recipient has no endpoint, notify by hand.",
});

export const OPEN_STATUSES = [DataSubjectRequestStatus.RECEIVED, DataSubjectRequestStatus.IN_PROGRESS] as const;
