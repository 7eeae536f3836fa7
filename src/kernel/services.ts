import type { GatewayContext } from "./request-context";

/**
 * A per-request service a feature offers its resolvers (the consent records, the request
 * store, the statistics store …), named by a typed key. Services are built on first use,
 * once per request, from the request's context: only after the gate allowed the operation
 * (they read through the data layer it opened), never for a refused one.
 */
export interface ServiceKey<T> {
  readonly name: string;
  /** the type this key stands for (never set; makes keys of different types incompatible) */
  readonly __service?: (value: T) => T;
}

export function serviceKey<T>(name: string): ServiceKey<T> {
  return Object.freeze({ name });
}

export interface ServiceProvider<T = unknown> {
  readonly key: ServiceKey<T>;
  create(ctx: GatewayContext): T;
}

export function provide<T>(key: ServiceKey<T>, create: (ctx: GatewayContext) => T): ServiceProvider<T> {
  return Object.freeze({ key, create });
}

/** The services of the composed features, by key name (a name offered twice stops the start). */
export class ServiceRegistry {
  private readonly providers = new Map<string, ServiceProvider<any>>();

  constructor(providers: readonly ServiceProvider<any>[]) {
    for (const provider of providers) {
      if (this.providers.has(provider.key.name)) throw new Error(`service ${provider.key.name} is offered twice`);
      this.providers.set(provider.key.name, provider);
    }
    Object.freeze(this);
  }

  provider<T>(key: ServiceKey<T>): ServiceProvider<T> | undefined {
    return this.providers.get(key.name) as ServiceProvider<T> | undefined;
  }
}
