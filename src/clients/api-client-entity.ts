import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { Purpose } from "../kernel/purposes/purpose";

/** A caller of the gateway. Its key is stored only as a SHA-256 hash. */
@Entity({ name: "api_client" })
export class ApiClient {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ type: "text", unique: true })
  name: string;

  @Column({ name: "key_hash", type: "text", unique: true })
  keyHash: string;

  /** The first characters of the key, to tell keys apart in listings. Not enough to use it. */
  @Column({ name: "key_prefix", type: "text" })
  keyPrefix: string;

  @Column({ type: "text", array: true })
  purposes: Purpose[];

  @Column({ name: "created_at", type: "timestamptz" })
  createdAt: Date;

  @Column({ name: "revoked_at", type: "timestamptz", nullable: true })
  revokedAt: Date | null;

  /** The third party or processor this client acts for (recipients registry), if any. */
  @Column({ name: "recipient_id", type: "uuid", nullable: true })
  recipientId: string | null;

  /** Compliance roles beyond purposes, e.g. PRIVACY_OFFICER. */
  @Column({ type: "text", array: true, default: () => "'{}'" })
  roles: string[];
}
