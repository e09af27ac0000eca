export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First, before any request is handled: forwarding headers are rewritten from the socket.
  const { installEdgeStamp } = await import("./lib/server/edge-stamp.ts");
  try {
    installEdgeStamp();
  } catch (e) {
    console.error(`[runlens] ${(e as Error).message}`);
    process.exit(1);
  }
  const { startServerOrExit } = await import("./lib/server/startup.ts");
  await startServerOrExit();
}
