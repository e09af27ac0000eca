// Admin CLI for self-hosters, on either database mode:
//   npm run admin -- create-workspace <name> [--owner <email>] [--api-key <secret>]
//   npm run admin -- create-key <workspace id|slug|name> <label>
//   npm run admin -- reset-password <email>
//   npm run admin -- apply-retention   (partitions ahead, retention and the storage budget, now)
// In embedded mode, stop the server first: only one process may open the embedded database.
import { parseArgs } from "node:util";
import { readConfig } from "../lib/config.ts";
import { runDataMaintenance } from "../lib/data/maintenance.ts";
import { openDatabase } from "../lib/db/client.ts";
import { adminCreateKey, adminCreateWorkspace, adminResetPassword } from "../lib/workspaces/admin.ts";

const USAGE = `usage:
  npm run admin -- create-workspace <name> [--owner <email>] [--api-key <secret>]
  npm run admin -- create-key <workspace> <label>
  npm run admin -- reset-password <email>
  npm run admin -- apply-retention`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { owner: { type: "string" }, "api-key": { type: "string" } },
});
const [command, ...args] = positionals;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

if (!command || !["create-workspace", "create-key", "reset-password", "apply-retention"].includes(command)) fail(USAGE);

const config = readConfig();
const db = await openDatabase(
  config.databaseUrl
    ? { kind: "postgres", url: config.databaseUrl }
    : { kind: "embedded", dataDir: `${config.dataDir}/pglite` },
).catch((e: Error) => fail(e.message));

try {
  if (command === "create-workspace") {
    const name = args.join(" ").trim();
    if (!name) fail(USAGE);
    const r = await adminCreateWorkspace(db, { name, ownerEmail: values.owner, apiKey: values["api-key"] });
    console.log(`Created workspace "${r.workspace.name}" (id ${r.workspace.id}, slug ${r.workspace.slug}).`);
    if (values.owner) {
      console.log(
        r.ownerPassword
          ? `Created owner ${values.owner} with one-time password: ${r.ownerPassword}  (change it in Settings › Account)`
          : `Added existing user ${values.owner} as owner.`,
      );
    }
    if (r.apiKeyPrefix) console.log(`Added API key ${r.apiKeyPrefix}… (label "admin-cli").`);
  } else if (command === "create-key") {
    const [workspace, ...labelParts] = args;
    const label = labelParts.join(" ").trim();
    if (!workspace || !label) fail(USAGE);
    const r = await adminCreateKey(db, workspace, label);
    if (!r) fail(`No workspace "${workspace}".`);
    console.log(`API key "${label}" for workspace "${r.workspace.name}". Store it now, it is not shown again:`);
    console.log(r.secret);
  } else if (command === "apply-retention") {
    const r = await runDataMaintenance(db);
    console.log(
      `Made ${r.partitionsMade} partitions; retention dropped ${r.retention.dropped.length} (executions removed ${r.retention.executionsRemoved}, reviewed kept ${r.retention.executionsKept}); the storage budget dropped ${r.budget.dropped.length}.`,
    );
    for (const d of [...r.retention.dropped, ...r.budget.dropped])
      console.log(`  ${d.table} ${d.workspaceId} ${d.day} (${d.reason})`);
  } else {
    const [email] = args;
    if (!email) fail(USAGE);
    const password = await adminResetPassword(db, email);
    if (!password) fail(`No user with email ${email}.`);
    console.log(`New one-time password for ${email}: ${password}`);
    console.log("Every session of this user was signed out.");
  }
} finally {
  await db.close();
}
