import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

export type ConsentKind = "INDIVIDUAL_AGREEMENT" | "THIRD_PARTY_DISCLOSURE";

/** A customer's individual agreement (1.7) or consent to disclosure to a recipient (3.1). */
@Entity({ name: "consent" })
export class Consent {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "customer_id", type: "uuid" })
  customerId: string;

  @Column({ type: "text" })
  kind: ConsentKind;

  /** for INDIVIDUAL_AGREEMENT: the agreement's key, e.g. `survey-2026` */
  @Column({ name: "agreement_key", type: "text", nullable: true })
  agreementKey: string | null;

  /** for THIRD_PARTY_DISCLOSURE: the recipient consented to */
  @Column({ name: "recipient_id", type: "uuid", nullable: true })
  recipientId: string | null;

  /** the policy version shown to the customer when they agreed */
  @Column({ name: "policy_version", type: "text" })
  policyVersion: string;

  @Column({ name: "granted_at", type: "timestamptz" })
  grantedAt: Date;

  @Column({ name: "withdrawn_at", type: "timestamptz", nullable: true })
  withdrawnAt: Date | null;
}
