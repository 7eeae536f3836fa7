import { Directive } from "type-graphql";
import { Purpose } from "../purposes/purpose";

/**
 * Declares the purposes a field (or every field of a type) may be read for.
 * Emits `@allowedFor(purposes: [...])` into the schema, where the gateway reads it at run time.
 */
export function AllowedFor(...purposes: Purpose[]): MethodDecorator & PropertyDecorator & ClassDecorator {
  if (purposes.length === 0) throw new Error("AllowedFor needs at least one purpose");
  return Directive(`@allowedFor(purposes: [${purposes.join(", ")}])`);
}

/**
 * Marks a filter or sort input field as revealing a data field: using it is permitted
 * only where that field is (so a forbidden field cannot be probed as an oracle).
 */
export function Reveals(coordinate: string): PropertyDecorator & MethodDecorator {
  if (!/^[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/.test(coordinate)) throw new Error(`bad coordinate ${coordinate}`);
  return Directive(`@reveals(coordinate: "${coordinate}")`);
}

/**
 * Marks a field (or every field of a type) as holding no personal data: readable by anyone.
 * Every field reachable from a root is either `@allowedFor` or `@public`; the gateway refuses
 * to start with one that is neither (src/kernel/gate/field-policy.ts).
 */
export function Public(): MethodDecorator & PropertyDecorator & ClassDecorator {
  return Directive("@public");
}
