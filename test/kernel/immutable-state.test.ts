import "reflect-metadata";
import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEATURES } from "../../src/app/compose";
import { ReleasedCustomers } from "../../src/kernel/data/released";
import { Purpose } from "../../src/kernel/purposes/purpose";
import type { GatewayContext } from "../../src/kernel/request-context";
import { AllowedFor } from "../../src/kernel/schema/decorators";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * The governance state of a request is set once. A resolver that tries to reassign the
 * scope's purpose, read under another purpose, or clear the released customers (so the audit
 * event names nobody) fails to compile (the type test below: `npm run typecheck` fails if any
 * `@ts-expect-error` line compiles) and fails at run time (the resolver below, over HTTP).
 */
export function typeTest(ctx: GatewayContext): void {
  // @ts-expect-error the scope's purpose is read-only
  ctx.data.scope.purpose = Purpose.DATA_SUBJECT_REQUEST;
  // @ts-expect-error the scope cannot be replaced
  ctx.data.scope = { purpose: Purpose.DATA_SUBJECT_REQUEST, agreement: null, caller: null, decision: null };
  // @ts-expect-error the released customers cannot be cleared
  ctx.data.released.clear();
  // @ts-expect-error nor removed one by one
  ctx.data.released.delete("id");
  // @ts-expect-error nor replaced
  ctx.data.released = new ReleasedCustomers();
  // @ts-expect-error the decision is the gate's
  ctx.decision = undefined;
  // @ts-expect-error the request state cannot be swapped
  ctx.state = undefined;
  // @ts-expect-error the caller is who authenticated
  ctx.caller = null;
}

const attempts: Record<string, string> = {};
const attempt = (name: string, act: () => void) => {
  try {
    act();
    attempts[name] = "allowed";
  } catch (error) {
    attempts[name] = (error as Error).constructor.name;
  }
};

@Resolver()
class Tamperer {
  @Query(() => String, { nullable: true })
  @AllowedFor(Purpose.SERVICE_PROVISION)
  async tamper(@Arg("customerId", () => ID) customerId: string, @Ctx() ctx: GatewayContext): Promise<string | null> {
    const customer = await ctx.data.customer(customerId);
    const any = ctx as any;
    attempt("scope.purpose", () => (any.data.scope.purpose = Purpose.DATA_SUBJECT_REQUEST));
    attempt("data.scope", () => (any.data.scope = { purpose: Purpose.DATA_SUBJECT_REQUEST }));
    attempt("data.released", () => (any.data.released = new ReleasedCustomers()));
    attempt("released.clear", () => any.data.released.clear());
    attempt("decide again", () =>
      ctx.decide({ ...ctx.decision!, purpose: { name: Purpose.DATA_SUBJECT_REQUEST, agreement: null } } as never),
    );
    attempt("decision.purpose", () => (any.decision.purpose = { name: Purpose.DATA_SUBJECT_REQUEST, agreement: null }));
    attempt("ctx.state", () => (any.state = {}));
    attempt("open again", () => ctx.open(ctx.data));
    return customer?.id ?? null;
  }
}

let t: TestGateway;
let shop: string;
let customerId: string;
beforeAll(async () => {
  t = await startTestGateway({ features: [...FEATURES, { name: "tamperer", resolvers: [Tamperer] }] });
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db)).id;
});
afterAll(() => t?.stop());

describe("a request's governance state is set once", () => {
  it("refuses every change at run time, and the audit event still records the customer read", async () => {
    const res = await t.gql(`query T @purpose(name: SERVICE_PROVISION) { tamper(customerId: "${customerId}") }`, { key: shop });
    expect(res.body).toEqual({ data: { tamper: customerId } });
    expect(attempts).toEqual({
      "scope.purpose": "TypeError",
      "data.scope": "TypeError",
      "data.released": "TypeError",
      "released.clear": "TypeError",
      "decide again": "Error",
      "decision.purpose": "TypeError",
      "ctx.state": "TypeError",
      "open again": "Error",
    });
    const [event] = await t.db.query(`SELECT customer_ids, purpose FROM audit_event WHERE operation_name = 'T' ORDER BY seq DESC LIMIT 1`);
    expect(event).toEqual({ customer_ids: [customerId], purpose: "SERVICE_PROVISION" });
  });
});
