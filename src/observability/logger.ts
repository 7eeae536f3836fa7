import pino from "pino";

/**
 * Structured logs. Never log personal values: ids, coordinates and codes only. The level is
 * set from the settings (LOG_LEVEL) by whoever loads them: the gateway, the CLIs.
 */
export const logger = pino({ level: "info", base: { service: "purpose-gateway" } });
