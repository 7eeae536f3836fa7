import { ID, ObjectType } from "type-graphql";
import { Entity } from "typeorm";
import { CUSTOMER } from "../personal-data/customer-tables";
import { DeclaredColumn, DeclaredGeneralisation, TablePurposes } from "../personal-data/decorators";
import { AgeBand } from "../personal-data/generalisations";
import { Gender } from "./gender";
import { Node } from "./node";

const c = CUSTOMER.columns;
const [ageBand, region] = CUSTOMER.generalisations;

/**
 * A customer: the person the agreement protects. Every field's purposes come from the data
 * category it is declared with (src/kernel/personal-data/customer-tables.ts); the type-level
 * list (what every category allows: requests from the customer only) covers any field added
 * without a declaration, and the start-up check refuses such a field anyway. No field allows
 * USAGE_STATISTICS: statistics are aggregates, never rows. The data layer loads only the
 * columns an operation may read, so a field the purpose may not read is absent, not hidden.
 */
@ObjectType({ description: "A customer. Personal data: each field lists the purposes it may be read for.", implements: Node })
@TablePurposes(CUSTOMER)
@Entity({ name: CUSTOMER.table })
export class Customer {
  @DeclaredColumn(c.id, () => ID)
  id: string;

  @DeclaredColumn(c.fullName, () => String)
  fullName: string;

  @DeclaredColumn(c.email, () => String)
  email: string;

  @DeclaredColumn(c.phone, () => String)
  phone: string;

  @DeclaredColumn(c.postalCode, () => String)
  postalCode: string;

  @DeclaredColumn(c.prefecture, () => String)
  prefecture: string;

  @DeclaredColumn(c.streetAddress, () => String)
  streetAddress: string;

  @DeclaredColumn(c.birthDate, () => String, { description: "ISO date (YYYY-MM-DD)." })
  birthDate: string;

  @DeclaredColumn(c.gender, () => Gender)
  gender: Gender;

  @DeclaredColumn(c.createdAt, () => Date)
  createdAt: Date;

  @DeclaredGeneralisation(ageBand, () => AgeBand, {
    description: "Ten-year age band today, computed from the birth date in the database (the birth date itself is not read).",
  })
  ageBand: AgeBand | null;

  @DeclaredGeneralisation(region, () => String, { description: "Region of Japan of the customer's prefecture." })
  region: string | null;

  // Relation fields (serviceUsage, campaignEntries, subscriptions, activity, consents) are
  // declared with their tables and resolved through the data layer (features/customers, consent).
}
