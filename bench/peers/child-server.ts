/** A server the benchmark runs in a child process of its own (forked by bench/harness). */
export interface ChildServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * The child's side of the fork: starts the server on the database named in argv, reports its
 * url to the parent, and stops it cleanly when the parent says "stop".
 */
export function serveAsChild(script: string, start: (databaseUrl: string) => Promise<ChildServer>): void {
  const main = async () => {
    const [databaseUrl] = process.argv.slice(2);
    if (!databaseUrl) throw new Error(`usage: ${script} <databaseUrl>`);
    const served = await start(databaseUrl);
    process.send?.({ url: served.url });
    process.on("message", async (message) => {
      if (message === "stop") {
        await served.stop();
        process.exit(0);
      }
    });
  };
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
