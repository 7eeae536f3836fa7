import type { Request, Response } from "express";
import type { DataSource } from "typeorm";

export interface Readiness {
  /** from now on the gateway reports itself not ready (it is draining for shutdown) */
  drain(): void;
  handler(req: Request, res: Response): Promise<void>;
}

/**
 * `/readyz`: can this gateway serve now? It is not while it shuts down, nor while its
 * database (and the statistics replica, if any) does not answer a trivial query within
 * `timeoutMs`. A load balancer sends traffic only to ready gateways; `/healthz` stays a
 * liveness check (the process runs), so an orchestrator does not restart a gateway whose
 * database is the one that is down. Concurrent probes share one check.
 */
export function readiness(databases: Record<string, DataSource>, timeoutMs: number): Readiness {
  let draining = false;
  let running: Promise<Record<string, string>> | null = null;
  const probe = (db: DataSource) =>
    new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve("timeout"), timeoutMs);
      db.query("SELECT 1")
        .then(
          () => resolve("ok"),
          () => resolve("unavailable"),
        )
        .finally(() => clearTimeout(timer));
    });
  const check = async () => {
    const names = Object.keys(databases);
    const results = await Promise.all(names.map((name) => probe(databases[name])));
    return Object.fromEntries(names.map((name, i) => [name, results[i]]));
  };
  return {
    drain: () => void (draining = true),
    async handler(_req, res) {
      if (draining) {
        res.status(503).json({ status: "draining" });
        return;
      }
      running ??= check().finally(() => (running = null));
      const checks = await running;
      const ready = Object.values(checks).every((c) => c === "ok");
      res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable", checks });
    },
  };
}
