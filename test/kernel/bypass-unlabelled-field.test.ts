import "reflect-metadata";
import { Query, Resolver } from "type-graphql";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DataSource } from "typeorm";
import { FEATURES } from "../../src/app/compose";
import { openDatabase } from "../../src/db/data-source";
import type { GatewayFeature } from "../../src/kernel/feature";
import { startGateway } from "../../src/server/create-gateway";
import { resetStore, testSettings } from "../support/test-gateway";

/**
 * The bypasses a new resolver could open, each closed by construction: the gateway refuses
 * to start with an undeclared personal field or an unlabelled one, and a feature's own
 * database handle cannot read customers' rows past the kernel.
 */

// (2) A root field with no label at all, returning e-mail addresses.
@Resolver()
class Unlabelled {
  @Query(() => [String])
  contacts(): string[] {
    return [];
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

describe("nothing unlabelled", () => {
  it("refuses to start with a root field that is neither @allowedFor nor @public", async () => {
    await expect(startGateway({ db, settings: testSettings(), features: withResolvers("unlabelled", [Unlabelled]) })).rejects.toThrow(
      /neither: Query\.contacts/,
    );
  });
});
