/** Configuration, from environment variables (documented in the README). */
export interface GatewayConfig {
  port: number;
  databaseUrl: string | null;
  dataDir: string;
  dbPoolSize: number;
  seedCustomers: number;
  introspection: boolean;
  /** how long an authenticated key is remembered (only while revocations are relayed by NOTIFY); 0 = never */
  authCacheTtlMs: number;
  logLevel: string;
  limits: { maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number; maxDirectives: number };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    port: int(env, "PORT", 4000),
    databaseUrl: env.DATABASE_URL || null,
    dataDir: env.PGW_DATA_DIR || ".data/pglite",
    dbPoolSize: int(env, "DB_POOL_SIZE", 10, 1),
    seedCustomers: int(env, "SEED_CUSTOMERS", 2000, 1),
    introspection: bool(env, "INTROSPECTION", true),
    authCacheTtlMs: int(env, "AUTH_CACHE_TTL_MS", 5000),
    logLevel: env.LOG_LEVEL || "info",
    limits: {
      maxDepth: int(env, "MAX_DEPTH", 8, 1),
      maxAliases: int(env, "MAX_ALIASES", 15, 0),
      maxCost: int(env, "MAX_COST", 5000, 1),
      maxTokens: int(env, "MAX_TOKENS", 2000, 1),
      maxDirectives: int(env, "MAX_DIRECTIVES", 20, 1),
    },
  };
}
