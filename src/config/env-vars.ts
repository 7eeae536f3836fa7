import { z } from "zod";

/**
 * One environment variable's parser: the raw text (or nothing) to a value, or an issue that
 * names what is wrong. Messages read "<VARIABLE> must be …" once the variable's name is put
 * in front of them (see settings.ts), so an operator sees every bad setting at once.
 */
export type EnvVar<T> = z.ZodType<T, string | undefined>;

const fail = (ctx: z.RefinementCtx, message: string): never => {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
};

const raw = () => z.string().optional();
const given = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

export function integer(fallback: number, min: number, max: number): EnvVar<number> {
  return raw().transform((value, ctx) => {
    if (!given(value)) return fallback;
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      return fail(ctx, `must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  }) as EnvVar<number>;
}

export function boolean(fallback: boolean): EnvVar<boolean> {
  return raw().transform((value, ctx) => {
    if (!given(value)) return fallback;
    if (/^(1|true|yes|on)$/i.test(value.trim())) return true;
    if (/^(0|false|no|off)$/i.test(value.trim())) return false;
    return fail(ctx, `must be true or false, got "${value}"`);
  }) as EnvVar<boolean>;
}

export function text(fallback: string, pattern?: { test: RegExp; hint: string }): EnvVar<string> {
  return raw().transform((value, ctx) => {
    if (!given(value)) return fallback;
    const trimmed = value.trim();
    if (pattern && !pattern.test.test(trimmed)) return fail(ctx, `must be ${pattern.hint}, got "${value}"`);
    return trimmed;
  }) as EnvVar<string>;
}

export function optionalText(pattern?: { test: RegExp; hint: string }): EnvVar<string | null> {
  return raw().transform((value, ctx) => {
    if (!given(value)) return null;
    const trimmed = value.trim();
    if (pattern && !pattern.test.test(trimmed)) return fail(ctx, `must be ${pattern.hint}`);
    return trimmed;
  }) as EnvVar<string | null>;
}

export function oneOf<T extends string>(fallback: T, values: readonly T[]): EnvVar<T> {
  return raw().transform((value, ctx) => {
    if (!given(value)) return fallback;
    const trimmed = value.trim() as T;
    if (!values.includes(trimmed)) return fail(ctx, `must be one of ${values.join(", ")}, got "${value}"`);
    return trimmed;
  }) as EnvVar<T>;
}

/** Any parser of the raw text that throws an Error with a "must be …" message. */
export function parsed<T>(parse: (value: string | undefined) => T): EnvVar<T> {
  return raw().transform((value, ctx) => {
    try {
      return parse(given(value) ? value : undefined);
    } catch (error) {
      return fail(ctx, (error as Error).message);
    }
  }) as EnvVar<T>;
}
