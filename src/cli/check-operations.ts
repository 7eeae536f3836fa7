#!/usr/bin/env node
import "reflect-metadata";
import "./quiet-pipe";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gqlPluckFromCodeStringSync } from "@graphql-tools/graphql-tag-pluck";
import { Command } from "commander";
import {
  buildSchema,
  getLocation,
  GraphQLError,
  Kind,
  parse,
  Source,
  type ASTNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { glob } from "tinyglobby";
import { compose } from "../app/compose";
import { buildGatewaySchema } from "../app/schema/build-schema";
import { createDocumentCheck, operationDocument } from "../kernel/gate/check-document";

/**
 * `npm run check-operations -- [--schema schema.graphql] [--json] <globs…>` (or the
 * `pgw-check-operations` bin): a frontend's operations checked at build time against the
 * gateway's schema, with the gate's own document rules. Every operation the gateway would
 * refuse whoever sends it (no purpose, a field or filter not permitted for its purpose, no
 * agreement named, anything but statistics for USAGE_STATISTICS, …) is reported with
 * file:line:column and the gateway's code and message; exit status 1 if there is any.
 * `.graphql`/`.gql` files are read whole; documents are plucked from `.ts`, `.tsx`, `.js`,
 * `.jsx`, `.vue`, `.svelte` (gql`…`, graphql(`…`), /* GraphQL *\/ `…`). Fragments may live in
 * any of the files. What depends on the caller (the key, its grants, recipients, roles) and
 * on variables is judged by the gateway at run time.
 */
interface Finding {
  file: string;
  line: number;
  column: number;
  operation: string | null;
  code: string;
  message: string;
}

const GRAPHQL_FILES = /\.(graphql|gql|graphqls)$/i;

function sourcesOf(file: string): Source[] {
  const text = readFileSync(file, "utf8");
  if (GRAPHQL_FILES.test(file)) return text.trim() ? [new Source(text, file)] : [];
  return gqlPluckFromCodeStringSync(file, text, { skipIndent: true }).map((s) => new Source(s.body, file, s.locationOffset));
}

function where(node: ASTNode | undefined, fallback: string): { file: string; line: number; column: number } {
  const loc = node?.loc;
  if (!loc) return { file: fallback, line: 1, column: 1 };
  const { line, column } = getLocation(loc.source, loc.start);
  // getLocation counts from the source's body; a plucked source starts at its offset in the file
  const offset = loc.source.locationOffset;
  return { file: loc.source.name, line: line + offset.line - 1, column: line === 1 ? column + offset.column - 1 : column };
}

async function loadSchema(file: string | undefined): Promise<GraphQLSchema> {
  if (!file) return buildGatewaySchema();
  return buildSchema(readFileSync(file, "utf8"));
}

async function main(patterns: string[], options: { schema?: string; json?: boolean }) {
  const files = (await glob(patterns, { ignore: ["**/node_modules/**", "**/dist/**"], absolute: false })).sort();
  if (files.length === 0) throw new Error(`no files match ${patterns.join(" ")}`);
  const schema = await loadSchema(options.schema);
  const check = createDocumentCheck(schema, compose().stages);

  const findings: Finding[] = [];
  const notes: Finding[] = [];
  const operations: OperationDefinitionNode[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const file of files) {
    for (const source of sourcesOf(file)) {
      try {
        for (const definition of parse(source).definitions) {
          if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
          else if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
        }
      } catch (error) {
        const e = error as GraphQLError;
        const loc = e.locations?.[0] ?? { line: 1, column: 1 };
        const offset = source.locationOffset;
        const line = loc.line + offset.line - 1;
        const column = loc.line === 1 ? loc.column + offset.column - 1 : loc.column;
        findings.push({ file, line, column, operation: null, code: "GRAPHQL_PARSE_FAILED", message: e.message });
      }
    }
  }

  for (const operation of operations) {
    const name = operation.name?.value ?? null;
    const fallback = operation.loc?.source.name ?? "?";
    const result = check(operationDocument(operation, fragments));
    const errors = result.valid ? result.operations[0].errors : result.errors;
    for (const error of errors) {
      findings.push({
        ...where(error.nodes?.[0] ?? operation, fallback),
        operation: name,
        code: String(error.extensions.code),
        message: error.message,
      });
    }
    if (result.valid)
      for (const note of result.operations[0].notes)
        notes.push({ ...where(operation, fallback), operation: name, code: "NOTE", message: note });
  }

  const refused = new Set(findings.map((f) => `${f.file}\0${f.operation}`)).size;
  if (options.json) {
    process.stdout.write(JSON.stringify({ files: files.length, operations: operations.length, refused, findings, notes }, null, 2) + "\n");
  } else {
    const rel = (file: string) => path.relative(process.cwd(), path.resolve(file)) || file;
    for (const f of findings)
      process.stdout.write(
        `${rel(f.file)}:${f.line}:${f.column}  ${f.code}  ${f.message}${f.operation ? `  (operation ${f.operation})` : ""}\n`,
      );
    for (const n of notes)
      process.stdout.write(
        `${rel(n.file)}:${n.line}:${n.column}  note  ${n.message}${n.operation ? `  (operation ${n.operation})` : ""}\n`,
      );
    process.stdout.write(
      findings.length
        ? `${findings.length} problem(s) in ${refused} operation(s); ${operations.length} operation(s) checked in ${files.length} file(s).\n`
        : `${operations.length} operation(s) in ${files.length} file(s): none would be refused for its document.\n`,
    );
  }
  return findings.length ? 1 : 0;
}

const program = new Command("check-operations")
  .description("Check a frontend's GraphQL operations against the gateway's purpose rules, at build time.")
  .argument("<globs...>", 'files or globs, e.g. "src/**/*.{graphql,ts,tsx}"')
  .option(
    "--schema <file>",
    "the gateway's SDL with its directives (schema/schema.graphql, or GET /schema.graphql); default: this code's schema",
  )
  .option("--json", "machine-readable output")
  .exitOverride();

program
  .parseAsync(process.argv)
  .then(() => main(program.args, program.opts()))
  .then((status) => process.exit(status))
  .catch((error: Error & { code?: string }) => {
    if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  });
