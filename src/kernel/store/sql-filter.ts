/** Builds a parameterised WHERE clause from optional conditions (unset filters add nothing). */
export class SqlFilter {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** `condition` uses `$?` where the value goes. */
  add(condition: string, value: unknown): this {
    if (value === undefined || value === null) return this;
    this.params.push(value);
    this.conditions.push(condition.replace("$?", `$${this.params.length}`));
    return this;
  }

  /** The next parameter's placeholder, for LIMIT/OFFSET. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get where(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(" AND ")}` : "";
  }
}
