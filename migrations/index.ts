import { InitialStore1764000000000 } from "./1764000000000-initial-store";

/** Every migration, in order, as classes (TypeORM is given classes, never globs). */
export const MIGRATIONS = [InitialStore1764000000000];
