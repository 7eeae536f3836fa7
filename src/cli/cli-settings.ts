import "./quiet-pipe";
import type { Settings } from "../config/settings";
import { openStore, type Store } from "../db/open-store";

export { startupSettings as cliSettings } from "../app/startup-settings";

/**
 * Runs `work` with the store opened from the settings, and closes it whatever happens. With the
 * embedded store, a running gateway's store is used through its socket; otherwise the command
 * holds the store's lock itself for as long as it runs (src/db/open-store.ts).
 */
export async function withStore<T>(settings: Settings, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(settings, "cli");
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
