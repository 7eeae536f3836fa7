import { GraphQLError } from "graphql";
import type { PurposeScopedData } from "../data/purpose-scoped-data";
import type { Decision } from "../governance/gate";
import type { Caller } from "../governance/governance-input";

/**
 * Per-request context. Resolvers get data only through `data`, which exists only after
 * the governance gate has allowed the operation: a resolver that somehow ran for a
 * refused operation finds nothing to read (fail closed).
 */
export class GatewayContext {
  private scoped: PurposeScopedData | null = null;
  /** The gate's decision for this request's operation (for accounting). */
  decision?: Decision;

  constructor(
    readonly caller: Caller | null,
    readonly requestId: string,
  ) {}

  /** Called by the governance plugin once, for an allowed operation. */
  open(data: PurposeScopedData): void {
    if (this.scoped) throw new Error("data layer already opened for this request");
    this.scoped = data;
  }

  get data(): PurposeScopedData {
    if (!this.scoped) {
      throw new GraphQLError("No data access was granted for this operation.", { extensions: { code: "FORBIDDEN" } });
    }
    return this.scoped;
  }
}
