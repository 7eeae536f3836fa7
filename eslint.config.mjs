// Lint: typescript-eslint's recommended rules, plus the rules that keep the architecture:
// the kernel imports no feature (nor the composition root, the servers, the CLIs), features
// never reach around the kernel to the database driver or ORM, only src/config reads the
// environment, and no module import cycle (folder cycles: scripts/check-folder-cycles.mjs).
import js from "@eslint/js";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

const outsideKernel = ["./src/features", "./src/app", "./src/server", "./src/cli", "./src/seed", "./src/clients", "./src/db"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.mjs"],
    plugins: { "import-x": importX },
    settings: { "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.check.json" })] },
    languageOptions: { globals: { process: "readonly", console: "readonly", __dirname: "readonly" } },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-self-import": "error",
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./src/kernel",
              from: outsideKernel,
              message: "The kernel imports no feature, no composition root, no server: features plug in through GatewayFeature.",
            },
            {
              target: "./src/features",
              from: ["./src/app", "./src/server", "./src/cli", "./src/seed", "./src/db"],
              message: "Features are composed by src/app; they import the kernel, not the root or the servers.",
            },
            {
              target: "./src/config",
              from: [
                "./src/kernel",
                "./src/features",
                "./src/app",
                "./src/server",
                "./src/cli",
                "./src/seed",
                "./src/clients",
                "./src/db",
                "./src/observability",
              ],
              message: "The settings import nothing of the gateway.",
            },
          ],
        },
      ],
      // the data layer's statements go through the kernel; a feature is handed a checked handle
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-function-type": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    files: ["src/features/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "pg", message: "Features reach the store through the kernel (FeatureDb, the data layer), never the driver." },
            { name: "typeorm", message: "Features reach the store through the kernel (FeatureDb, the data layer), never the ORM." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/config/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Only src/config reads the environment: take the setting from Settings." },
      ],
    },
  },
);
