/**
 * `npm run clients -- list | head`: when the reader closes the pipe early, writing to
 * stdout fails with EPIPE. That is the reader saying it has enough, not an error: exit
 * quietly (status 0) instead of crashing with a stack trace.
 */
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}
