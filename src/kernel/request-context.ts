import { GraphQLError } from "graphql";
import type { Caller } from "./caller/caller";
import type { PurposeScopedData } from "./data/purpose-scoped-data";
import { KernelCode } from "./errors/catalogue";
import type { Decision } from "./gate/gate";
import type { ServiceKey, ServiceRegistry } from "./services";

const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: KernelCode.FORBIDDEN } });

/**
 * A request's governance state, set once: who calls, the gate's decision, the data layer it
 * opened and the services built on it. Private fields: nothing outside can write them.
 */
class RequestState {
  readonly #caller: Caller | null;
  readonly #requestId: string;
  readonly #services: ServiceRegistry;
  #decision: Decision | undefined;
  #data: PurposeScopedData | undefined;
  readonly #built = new Map<string, unknown>();

  constructor(caller: Caller | null, requestId: string, services: ServiceRegistry) {
    this.#caller = caller;
    this.#requestId = requestId;
    this.#services = services;
    Object.freeze(this);
  }

  get caller() {
    return this.#caller;
  }
  get requestId() {
    return this.#requestId;
  }
  get decision() {
    return this.#decision;
  }
  get data() {
    return this.#data;
  }

  decide(decision: Decision): void {
    if (this.#decision) throw new Error("the decision of this request is already taken");
    this.#decision = Object.isFrozen(decision) ? decision : Object.freeze(decision);
  }

  open(data: PurposeScopedData): void {
    if (this.#data) throw new Error("data layer already opened for this request");
    if (this.#decision?.allowed !== true) throw new Error("data layer opened without an allowed decision");
    this.#data = data;
  }

  service<T>(key: ServiceKey<T>, ctx: GatewayContext): T {
    if (this.#built.has(key.name)) return this.#built.get(key.name) as T;
    const provider = this.#services.provider(key);
    if (!provider) throw forbidden(`The service ${key.name} is not part of this gateway.`);
    const service = provider.create(ctx);
    this.#built.set(key.name, service);
    return service;
  }
}

/**
 * Per-request context. Resolvers get data only through `data`, which exists only after
 * the governance gate has allowed the operation, and the features' services only through
 * `service`, built on that same data layer: a resolver that somehow ran for a refused
 * operation finds nothing to read (fail closed). The decision and the data layer are set
 * once, by the governance plugin, and can never be replaced. (Apollo copies the context
 * object per operation; the copy shares this one state, and the governance plugin locks it.)
 */
export class GatewayContext {
  readonly state: RequestState;

  constructor(caller: Caller | null, requestId: string, services: ServiceRegistry) {
    this.state = new RequestState(caller, requestId, services);
    lockState(this);
  }

  get caller(): Caller | null {
    return this.state.caller;
  }

  get requestId(): string {
    return this.state.requestId;
  }

  /** The gate's decision for this request's operation (for accounting). */
  get decision(): Decision | undefined {
    return this.state.decision;
  }

  /** Called by the governance plugin, once. */
  decide(decision: Decision): void {
    this.state.decide(decision);
  }

  /** Called by the governance plugin once, for an allowed operation. */
  open(data: PurposeScopedData): void {
    this.state.open(data);
  }

  /** Whether the data layer was opened (the audit trail asks before reading what was released). */
  get opened(): boolean {
    return this.state.data !== undefined;
  }

  get data(): PurposeScopedData {
    const data = this.state.data;
    if (!data) throw forbidden("No data access was granted for this operation.");
    return data;
  }

  /** A feature's service for this request, built once on first use. */
  service<T>(key: ServiceKey<T>): T {
    if (!this.state.data) throw forbidden("No data access was granted for this operation.");
    return this.state.service(key, this);
  }
}

/**
 * Makes `ctx.state` read-only and undeletable. Apollo copies the context object per
 * operation (and adds its own symbols to the copy), so the governance plugin locks the copy
 * it is given as well: no resolver can swap the request's state for another.
 */
export function lockState(ctx: GatewayContext): void {
  Object.defineProperty(ctx, "state", { value: ctx.state, writable: false, configurable: false, enumerable: true });
}
