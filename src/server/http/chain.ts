import type { NextFunction, Request, RequestHandler, Response } from "express";

/**
 * Middleware run in order as ONE Express layer. Every request to /graphql went through
 * seven router layers (each a path match and a parameter pass); as one layer it goes
 * through one. Errors — thrown, rejected or passed to `next` — reach Express's error
 * handler as they did.
 */
export function chain(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next = (error?: unknown) => {
      if (error !== undefined && error !== null) return done(error);
      const handler = handlers[index++];
      if (!handler) return done();
      try {
        const result: unknown = handler(req, res, next);
        if (result instanceof Promise) result.catch(done);
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
  };
}
