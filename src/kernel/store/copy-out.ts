import type { QueryRunner } from "typeorm";
import { checkedTarget, isDataSource, type FeatureDb } from "./feature-db";

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
  const target = checkedTarget(db, statement);
  const source = isDataSource(target) ? target : target.dataSource;
  if (source.options.type !== "postgres") throw new Error(`COPY needs PostgreSQL, not ${source.options.type}`);
  // in a transaction: its own connection; otherwise one from the pool, for this statement only
  const inTransaction = isDataSource(target) ? undefined : target.queryRunner;
  const runner: QueryRunner = inTransaction ?? source.createQueryRunner();
  try {
    const client: { query(submittable: object): unknown } = await runner.connect();
    const chunks = await new Promise<Buffer[]>((resolve, reject) =>
      client.query(new CopyOut(statement, (error, data) => (error ? reject(error) : resolve(data)))),
    );
    return parseBinaryCopy(chunks);
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
const EMPTY = Buffer.alloc(0);

/**
 * PostgreSQL's binary COPY format: an 11-byte signature, int32 flags, an int32-length header
 * extension; then per row an int16 field count and per field an int32 length (-1: NULL) and
 * that many bytes; then int16 -1. `chunks` are the CopyData messages in order, which may split
 * the stream anywhere (PostgreSQL sends a row per message). A value is a view of its chunk when
 * it lies in one (no copy of a large value), else the pieces joined. Anything else is refused.
 */
export function parseBinaryCopy(chunks: readonly Buffer[]): CopiedValue[][] {
  const malformed = (what: string) => new Error(`malformed binary COPY data: ${what}`);
  let index = 0; // the chunk being read
  let at = 0; // the place in it
  let left = chunks.reduce((n, chunk) => n + chunk.length, 0); // bytes not yet taken
  /** The next `n` bytes, or null if the data ends first. */
  const take = (n: number): Buffer | null => {
    if (n < 0 || n > left) return null;
    left -= n;
    while (index < chunks.length && at === chunks[index].length) [index, at] = [index + 1, 0];
    if (n === 0) return EMPTY;
    if (at + n <= chunks[index].length) {
      at += n;
      return chunks[index].subarray(at - n, at);
    }
    const joined = Buffer.allocUnsafe(n);
    for (let filled = 0; filled < n;) {
      if (at === chunks[index].length) [index, at] = [index + 1, 0];
      const part = Math.min(n - filled, chunks[index].length - at);
      chunks[index].copy(joined, filled, at, at + part);
      filled += part;
      at += part;
    }
    return joined;
  };
  const signature = take(SIGNATURE.length);
  if (!signature?.equals(SIGNATURE)) throw malformed("no signature");
  const flagsAndExtension = take(8);
  if (!flagsAndExtension || take(flagsAndExtension.readInt32BE(4)) === null) throw malformed("no header");
  const rows: CopiedValue[][] = [];
  for (;;) {
    const count = take(2);
    if (!count) throw malformed("no trailer");
    const fields = count.readInt16BE(0);
    if (fields === -1) break;
    const row: CopiedValue[] = [];
    for (let f = 0; f < fields; f++) {
      const length = take(4)?.readInt32BE(0);
      if (length === undefined) throw malformed("a field past the end");
      if (length === -1) {
        row.push(null);
        continue;
      }
      const value = length < 0 ? null : take(length);
      if (!value) throw malformed("a field past the end");
      row.push(value);
    }
    rows.push(row);
  }
  if (left !== 0) throw malformed("data after the trailer");
  return rows;
}
