import "reflect-metadata";
import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEATURES } from "../../src/app/compose";
import type { GatewayFeature } from "../../src/kernel/feature";
import { Purpose } from "../../src/kernel/purposes/purpose";
import type { GatewayContext } from "../../src/kernel/request-context";
import { AllowedFor, Public } from "../../src/kernel/schema/decorators";
import { serviceKey, provide } from "../../src/kernel/services";
import type { FeatureDb } from "../../src/kernel/store/feature-db";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * The bypasses a new resolver could open, each closed by construction: the gateway refuses
 * to start with an undeclared personal field or an unlabelled one, and a feature's own
 * database handle cannot read customers' rows past the kernel.
 */

// (3) A public root field whose resolver reads the customer table with its feature's own handle.
const RAW = serviceKey<FeatureDb>("test.raw");
@Resolver()
class RawReader {
  @Query(() => [String])
  @Public()
  newsletterAddresses(@Ctx() ctx: GatewayContext): Promise<string[]> {
    return ctx
      .service(RAW)
      .query(`SELECT email FROM customer`)
      .then((rows: Array<{ email: string }>) => rows.map((r) => r.email));
  }

  @Query(() => [String])
  @AllowedFor(Purpose.PRODUCT_IMPROVEMENT)
  emailsThroughTheKernel(@Arg("first", () => ID, { nullable: true }) _first: string | null, @Ctx() ctx: GatewayContext): Promise<string[]> {
    // a resolver that reaches customers under PRODUCT_IMPROVEMENT and returns their e-mail:
    // the kernel loads only the columns the operation reads (none of them is `email`)
    return ctx.data.listCustomers({ first: 100 }).then((rows) => rows.map((c) => String(c.email)));
  }
}

const withResolvers = (name: string, resolvers: Function[], extra: Partial<GatewayFeature> = {}): GatewayFeature[] => [
  ...FEATURES,
  { name, resolvers, ...extra },
];

describe("a feature's database handle cannot read customers' rows", () => {
  let t: TestGateway;
  let analyst: string;
  beforeAll(async () => {
    t = await startTestGateway({
      features: withResolvers("raw-reader", [RawReader], { start: ({ db: raw }) => ({ services: [provide(RAW, () => raw)] }) }),
    });
    await insertCustomer(t.db, { email: "secret.person@example.jp" });
    analyst = await t.client("improver", [Purpose.PRODUCT_IMPROVEMENT]);
  });
  afterAll(() => t?.stop());

  it("refuses the statement: no e-mail leaves, the error is masked", async () => {
    const res = await t.gql(`{ newsletterAddresses }`);
    expect(JSON.stringify(res.body)).not.toContain("secret.person");
    expect(res.body.errors?.[0].extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(res.body.data).toBeNull();
  });

  it("through the kernel, a purpose's read loads only the columns the operation reads", async () => {
    const res = await t.gql(`query Q @purpose(name: PRODUCT_IMPROVEMENT) { emailsThroughTheKernel }`, { key: analyst });
    expect(res.status).toBe(200);
    expect(res.body.data.emailsThroughTheKernel).toEqual(["undefined"]);
    expect(JSON.stringify(res.body)).not.toContain("secret.person");
  });
});
