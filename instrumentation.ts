export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First, before any request is handled: forwarding headers are rewritten from the socket.
  const { installEdgeStampOrExit } = await import("./lib/server/edge-stamp.ts");
  installEdgeStampOrExit();
  // Methods and paths Next cannot route reach a route that answers them in the error format.
  const { installRequestRewrites } = await import("./lib/server/request-rewrites.ts");
  installRequestRewrites();
  const { startServerOrExit } = await import("./lib/server/startup.ts");
  await startServerOrExit();
}
