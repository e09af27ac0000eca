export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server/startup.ts");
  try {
    await startServer();
  } catch (e) {
    console.error(`\n[runlens] cannot start: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
