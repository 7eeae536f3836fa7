import "reflect-metadata";
import { FieldResolver, Resolver, Root } from "type-graphql";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DataSource } from "typeorm";
import { FEATURES } from "../../src/app/compose";
import { openDatabase } from "../../src/db/data-source";
import type { GatewayFeature } from "../../src/kernel/feature";
import { Customer } from "../../src/kernel/model";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { AllowedFor } from "../../src/kernel/schema/decorators";
import { startGateway } from "../../src/server/create-gateway";
import { resetStore, testSettings } from "../support/test-gateway";

/**
 * The bypasses a new resolver could open, each closed by construction: the gateway refuses
 * to start with an undeclared personal field or an unlabelled one, and a feature's own
 * database handle cannot read customers' rows past the kernel.
 */

// (1) A field computed from personal data, labelled for a purpose its source does not allow.
@Resolver(() => Customer)
class BirthYear {
  @FieldResolver(() => String, { nullable: true })
  @AllowedFor(Purpose.PRODUCT_IMPROVEMENT)
  birthYear(@Root() customer: Customer): string | null {
    return customer.birthDate?.slice(0, 4) ?? null;
  }
}

const withResolvers = (name: string, resolvers: Function[], extra: Partial<GatewayFeature> = {}): GatewayFeature[] => [
  ...FEATURES,
  { name, resolvers, ...extra },
];

let db: DataSource;
beforeAll(async () => {
  db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
  await resetStore(db);
});
afterAll(() => db?.destroy());

describe("a personal field must be declared", () => {
  it("refuses to start with Customer.birthYear, a field computed from the birth date labelled for PRODUCT_IMPROVEMENT", async () => {
    await expect(startGateway({ db, settings: testSettings(), features: withResolvers("birth-year", [BirthYear]) })).rejects.toThrow(
      /Customer\.birthYear is not declared/,
    );
  });
});
