import pino from "pino";

/** Structured logs. Never log personal values: ids, coordinates and codes only. */
export const logger = pino({ level: process.env.LOG_LEVEL || "info", base: { service: "purpose-gateway" } });
