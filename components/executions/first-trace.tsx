"use client";

import { useEffect, useState } from "react";
import { CodeBlock } from "../ui/copy-button";

/** The newcomer's first step: where to send traces, as a ready curl command. */
export function FirstTraceHelp({ canCreateKeys }: { canCreateKeys: boolean }) {
  // Both differ between the server's render and the browser's: set after hydration, so the two
  // renders match (a mismatch makes React discard the server's HTML and render the page again).
  const [origin, setOrigin] = useState("http://127.0.0.1:3000");
  const [now, setNow] = useState("2026-01-01T00:00:00.000Z");
  useEffect(() => {
    setOrigin(window.location.origin);
    setNow(new Date().toISOString());
  }, []);
  const curl = `curl -X POST ${origin}/api/v1/runtime/v1/observability/traces \\
  -H "Authorization: Bearer <YOUR_API_KEY>" \\
  -H "Content-Type: application/json" \\
  -d '{"traces":[{"id":"span-1","executionId":"run-1","type":"agent_execution","name":"hello","agent":"my-agent","startedAt":"${now}","endedAt":"${now}","input":{"question":"hi"},"output":{"answer":"hello!"}}]}'`;
  return (
    <div className="space-y-3 text-left">
      <p>
        Your API URL is <code className="rounded bg-zinc-100 px-1 font-mono text-xs dark:bg-zinc-800">{origin}</code>.{" "}
        {canCreateKeys ? (
          <>
            Create a key in{" "}
            <a className="font-medium text-indigo-600 hover:underline dark:text-indigo-400" href="/settings/api-keys">
              Settings › API keys
            </a>
            , then send a first trace:
          </>
        ) : (
          <>Ask an admin for an API key, then send a first trace:</>
        )}
      </p>
      <CodeBlock code={curl} />
      <p className="text-xs text-zinc-500">
        Or use the TypeScript SDK with <code className="font-mono">RUNLENS_API_URL={origin}</code> and{" "}
        <code className="font-mono">RUNLENS_API_KEY</code>.
      </p>
    </div>
  );
}
