import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql: type-graphql, Apollo and our code must share its classes
    // ("Cannot use GraphQLSchema from another module or realm").
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["reflect-metadata"],
    // Test files share one database and reset it; run them one after another.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // quiet logs unless asked for (LOG_LEVEL=info npm test)
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
  },
});
