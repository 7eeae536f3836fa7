const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is `value` a UUID (the form of every id of the store)? */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
