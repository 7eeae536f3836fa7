import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildGatewaySchema } from "./build-schema";
import { printGatewaySchema } from "./print-schema";

/** `npm run schema:emit`: writes schema/schema.graphql from the code. */
async function main() {
  const target = path.resolve(__dirname, "../../../../schema/schema.graphql");
  writeFileSync(target, printGatewaySchema(await buildGatewaySchema()));
  console.log(`wrote ${target}`);
}
void main();
