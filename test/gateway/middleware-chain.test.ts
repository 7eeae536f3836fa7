import type { NextFunction, Request, Response } from "express";
import { describe, expect, it } from "vitest";
import { chain } from "../../src/server/http/chain";

/** The /graphql middleware as one layer (src/server/http/chain.ts): order and errors as Express's. */
const run = (handler: ReturnType<typeof chain>) =>
  new Promise<unknown>((resolve) =>
    handler({} as Request, {} as Response, ((error?: unknown) => resolve(error ?? "done")) as NextFunction),
  );

describe("middleware chain", () => {
  it("runs the handlers in order, then hands on", async () => {
    const seen: number[] = [];
    const step = (n: number) => (_req: Request, _res: Response, next: NextFunction) => (seen.push(n), next());
    expect(await run(chain(step(1), step(2), step(3)))).toBe("done");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("stops at a handler that answers (never calls next)", async () => {
    const seen: string[] = [];
    const handler = chain(
      (_req, _res, next) => (seen.push("a"), next()),
      () => void seen.push("answered"),
      () => void seen.push("never"),
    );
    handler({} as Request, {} as Response, () => seen.push("handed on"));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["a", "answered"]);
  });

  it("passes on an error given to next, thrown, or rejected, and skips the rest", async () => {
    const boom = new Error("boom");
    const never = () => {
      throw new Error("ran after the error");
    };
    expect(await run(chain((_req, _res, next) => next(boom), never))).toBe(boom);
    expect(
      await run(
        chain(() => {
          throw boom;
        }, never),
      ),
    ).toBe(boom);
    expect(await run(chain(async () => Promise.reject(boom), never))).toBe(boom);
  });
});
