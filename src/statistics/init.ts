import { loadStatisticsConfig, type StatisticsConfig } from "./config";
import { registerStatisticsCodes } from "./errors";

let current: StatisticsConfig | null = null;

/**
 * Called once when the gateway starts: validates the privacy settings (an unsafe one stops
 * the start, e.g. STATS_MIN_GROUP_SIZE below 5) and registers the statistics error codes.
 */
export function initStatistics(env: NodeJS.ProcessEnv = process.env): StatisticsConfig {
  const config = loadStatisticsConfig(env);
  registerStatisticsCodes();
  current = config;
  return config;
}

/** The settings the gateway started with (read from the environment if it was never initialised). */
export function statisticsConfig(): StatisticsConfig {
  return current ?? initStatistics();
}
