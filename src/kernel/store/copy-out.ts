import type { DataSource, EntityManager, QueryRunner } from "typeorm";
import { checkStatement, rawHandleOf, type FeatureDb } from "./feature-db";

/** A column value as COPY's binary format carries it: its type's binary form (a bytea: itself), null for SQL NULL. */
export type CopiedValue = Buffer | null;

/**
 * The rows of `select`, read with `COPY (select) TO STDOUT (FORMAT binary)` on one connection
 * of the handle's pool. For bulk reads of binary data: through `query` a bytea arrives as hex
 * text, twice its size, turned into a string and decoded again in JavaScript; COPY's binary
 * format costs neither side a conversion (a bytea column is sent as its bytes).
 *
 * COPY takes no bind parameters: `select` carries its values as literals, which the caller must
 * have made safe (numbers it computed itself, never input). The statement passes the same table
 * check as the handle's `query`.
 */
export async function copyRows(db: FeatureDb, select: string): Promise<CopiedValue[][]> {
  const statement = `COPY (${select}) TO STDOUT (FORMAT binary)`;
  checkStatement(db, statement);
  const target = (rawHandleOf(db) ?? db) as DataSource | EntityManager;
  const source = "createQueryRunner" in target ? target : target.dataSource;
  if (source.options.type !== "postgres") throw new Error(`COPY needs PostgreSQL, not ${source.options.type}`);
  // in a transaction: its own connection; otherwise one from the pool, for this statement only
  const inTransaction = "createQueryRunner" in target ? undefined : target.queryRunner;
  const runner: QueryRunner = inTransaction ?? source.createQueryRunner();
  try {
    const client: { query(submittable: object): unknown } = await runner.connect();
    const chunks = await new Promise<Buffer[]>((resolve, reject) =>
      client.query(new CopyOut(statement, (error, data) => (error ? reject(error) : resolve(data)))),
    );
    return parseBinaryCopy(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  } finally {
    if (!inTransaction) await runner.release();
  }
}

/**
 * A statement for `pg`'s client that collects a COPY's data (pg's own Query has no use for
 * CopyData messages). The client calls these handlers; `callback` is called once: with the
 * data after ReadyForQuery, or with the error (the client also calls it, through the same
 * property, when its query_timeout fires).
 */
class CopyOut {
  private readonly chunks: Buffer[] = [];
  private unexpected: Error | null = null;

  constructor(
    private readonly text: string,
    public callback: (error: Error | null, chunks: Buffer[]) => void,
  ) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    // a view of the protocol parser's buffer, which it reuses for later messages: keep a copy
    this.chunks.push(Buffer.from(message.chunk));
  }

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    this.unexpected = new Error("COPY asked for data: only COPY ... TO STDOUT is sent here");
    connection.sendCopyFail("no data to send");
  }

  handleRowDescription(): void {
    this.unexpected = new Error("the statement returned rows, not COPY data");
  }

  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}

  handleError(error: Error): void {
    this.settle(error, []);
  }

  handleReadyForQuery(): void {
    this.settle(this.unexpected, this.chunks);
  }

  private settle(error: Error | null, chunks: Buffer[]): void {
    const callback = this.callback;
    this.callback = () => {};
    callback(error, chunks);
  }
}

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/**
 * PostgreSQL's binary COPY format: an 11-byte signature, int32 flags, an int32-length header
 * extension; then per row an int16 field count and per field an int32 length (-1: NULL) and
 * that many bytes; then int16 -1. Values are views of `data`. Anything else is refused.
 */
export function parseBinaryCopy(data: Buffer): CopiedValue[][] {
  const malformed = (what: string) => new Error(`malformed binary COPY data: ${what}`);
  if (data.length < SIGNATURE.length + 8 || !data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw malformed("no signature");
  let at = SIGNATURE.length + 4;
  at += 4 + data.readInt32BE(at);
  const rows: CopiedValue[][] = [];
  for (;;) {
    if (at + 2 > data.length) throw malformed("no trailer");
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    const row: CopiedValue[] = [];
    for (let f = 0; f < fields; f++) {
      if (at + 4 > data.length) throw malformed("a field past the end");
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row.push(null);
        continue;
      }
      if (length < 0 || at + length > data.length) throw malformed("a field past the end");
      row.push(data.subarray(at, at + length));
      at += length;
    }
    rows.push(row);
  }
  if (at !== data.length) throw malformed("data after the trailer");
  return rows;
}
