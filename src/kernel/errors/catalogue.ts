/**
 * The error catalogue: every `extensions.code` the gateway can answer with, the HTTP status
 * it answers with when it refuses a whole request, and whether its message is written for
 * the caller (safe to show) or must be masked. The kernel's codes are below; each feature
 * brings its own table, and the composition root joins them into one catalogue (a code
 * defined twice stops the start). Nothing registers codes as a side effect of loading.
 */
export interface ErrorCodeSpec {
  /** the HTTP status of a request refused with this code */
  readonly status: number;
  /** the message is written for the caller and carries no SQL, stack or personal value */
  readonly safe: boolean;
  readonly meaning: string;
}

export type ErrorCodeTable<C extends string = string> = { readonly [K in C]: ErrorCodeSpec };

/** A feature's (or the kernel's) codes, typed: `codes.X === "X"`, and the table behind them. */
export interface CodeSet<C extends string> {
  readonly codes: { readonly [K in C]: K };
  readonly table: ErrorCodeTable<C>;
}

export function defineCodes<C extends string>(table: ErrorCodeTable<C>): CodeSet<C> {
  const codes = Object.fromEntries(Object.keys(table).map((code) => [code, code])) as { [K in C]: K };
  return Object.freeze({ codes: Object.freeze(codes), table: Object.freeze({ ...table }) });
}

const refusal = (status: number, meaning: string): ErrorCodeSpec => ({ status, safe: true, meaning });

/** The kernel's own codes: authentication, purposes, the field policy and malformed requests. */
export const KernelCodes = defineCodes({
  UNAUTHENTICATED: refusal(401, "no key for personal data, or a wrong, malformed or revoked key"),
  PURPOSE_REQUIRED: refusal(400, "the operation reaches personal data without @purpose"),
  PURPOSE_NOT_GRANTED: refusal(403, "the client is not granted the declared purpose"),
  PURPOSE_NOT_PERMITTED: refusal(403, "a reachable field (or a filter or sort on one) is not permitted for the purpose"),
  ROLE_REQUIRED: refusal(403, "a compliance field (audit trail, ledger, registry) without the role it needs"),
  OPERATION_NOT_SUPPORTED: refusal(400, "an operation type the gateway does not serve (subscriptions)"),
  BAD_USER_INPUT: refusal(400, "invalid arguments or variables"),
  BAD_REQUEST: refusal(400, "malformed HTTP request or body, no operation"),
  GRAPHQL_PARSE_FAILED: refusal(400, "the document does not parse, or exceeds the token limit"),
  GRAPHQL_VALIDATION_FAILED: refusal(400, "the document is not valid against the schema, or exceeds a query limit"),
  OPERATION_RESOLUTION_FAILURE: refusal(400, "the operation named does not exist in the document"),
  PERSISTED_QUERY_NOT_FOUND: refusal(200, "APQ hash unknown: send the document once"),
  PERSISTED_QUERY_NOT_SUPPORTED: refusal(400, "persisted queries are not available"),
  // issue 11: the store (or the request as a whole) failed the caller, not the other way round; retry later
  STORE_UNAVAILABLE: refusal(503, "the database could not be reached or did not answer in time; no data was served"),
  REQUEST_TIMEOUT: refusal(503, "the request did not complete within REQUEST_TIMEOUT_MS; no data was served"),
  FORBIDDEN: refusal(403, "a resolver ran without the access its operation was granted (defence in depth)"),
  INTERNAL_SERVER_ERROR: { status: 500, safe: false, meaning: "anything unexpected; the message is generic, details go to the log only" },
});

export const KernelCode = KernelCodes.codes;

/** Every code the gateway answers with, from the kernel and the composed features. */
export class ErrorCatalogue {
  private readonly specs = new Map<string, { owner: string; spec: ErrorCodeSpec }>();

  constructor(tables: ReadonlyArray<readonly [owner: string, table: ErrorCodeTable]>) {
    for (const [owner, table] of tables) {
      for (const [code, spec] of Object.entries(table)) {
        const existing = this.specs.get(code);
        if (existing) throw new Error(`error code ${code} is defined by both ${existing.owner} and ${owner}`);
        if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`error code ${code} (${owner}) is not UPPER_SNAKE_CASE`);
        this.specs.set(code, { owner, spec });
      }
    }
    Object.freeze(this);
  }

  /** The HTTP status of a refusal with `code`; 403 for a code nobody defined (fail closed). */
  status(code: string): number {
    return this.specs.get(code)?.spec.status ?? 403;
  }

  /** May the caller see this code's message as written? Unknown codes are masked. */
  isSafe(code: string): boolean {
    return this.specs.get(code)?.spec.safe ?? false;
  }

  has(code: string): boolean {
    return this.specs.has(code);
  }

  /** Every code, for the README's table and its test. */
  entries(): Array<{ code: string; owner: string } & ErrorCodeSpec> {
    return [...this.specs].map(([code, { owner, spec }]) => ({ code, owner, ...spec }));
  }
}
