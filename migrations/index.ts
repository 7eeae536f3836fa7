import { InitialStore1764000000000 } from "./1764000000000-initial-store";
import { Consent1764050000000 } from "./1764050000000-consent";

/** Every migration, in order, as classes (TypeORM is given classes, never globs). */
export const MIGRATIONS = [
  InitialStore1764000000000,
  Consent1764050000000,
];
