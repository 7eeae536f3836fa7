import { loadSettings, SettingsError, type Settings } from "../config/settings";
import { configureLogging } from "../observability/logger";

/**
 * The settings of a process (the gateway, a CLI) as it starts: invalid ones end it with
 * their message on stderr and exit status 2, never a stack trace or a half-started gateway.
 */
export function startupSettings(defaults: Readonly<Record<string, string>> = {}): Settings {
  try {
    const settings = loadSettings(undefined, defaults);
    configureLogging({ level: settings.log.level, throttleMs: settings.operations.logThrottleMs });
    return settings;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
