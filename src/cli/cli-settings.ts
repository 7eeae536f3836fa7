import type { Settings } from "../config/settings";
import { openStore, type Store } from "../db/open-store";

export { startupSettings as cliSettings } from "../app/startup-settings";

/** Runs `work` with the store opened from the settings, and closes it whatever happens. */
export async function withStore<T>(settings: Settings, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(settings.store);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
