/**
 * The customers whose data a request's reads returned, for its audit event. Add-only: a
 * resolver can add to it (every read of the data layer does) but never remove from it or
 * clear it, so no answer leaves with fewer customers recorded than it carries.
 */
export class ReleasedCustomers {
  readonly #ids = new Set<string>();

  constructor() {
    Object.freeze(this);
  }

  add(customerId: string): void {
    this.#ids.add(customerId.toLowerCase());
  }

  has(customerId: string): boolean {
    return this.#ids.has(customerId.toLowerCase());
  }

  get size(): number {
    return this.#ids.size;
  }

  /** A copy, sorted. */
  ids(): string[] {
    return [...this.#ids].sort();
  }
}
