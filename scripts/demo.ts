// `npm run demo`: sends realistic sample data through the SDK to a running portal.
// Needs RUNLENS_API_URL (default http://127.0.0.1:3000) and RUNLENS_API_KEY.
import { runDemo } from "../lib/demo/generate.ts";

if (!process.env.RUNLENS_API_KEY) {
  console.error("Set RUNLENS_API_KEY (Settings › API keys) and, if not local, RUNLENS_API_URL.");
  process.exit(2);
}
const started = Date.now();
const r = await runDemo();
console.log(
  `Sent ${r.executions} executions and ${r.events} business events in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
);
