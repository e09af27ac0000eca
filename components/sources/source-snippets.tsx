"use client";

import { useEffect, useState } from "react";
import { CodeBlock } from "../ui/copy-button";

/** The portal's own address, as the browser reaches it (snippets are copied from here). */
function useOrigin(): string {
  const [origin, setOrigin] = useState("http://127.0.0.1:3000");
  useEffect(() => setOrigin(window.location.origin), []);
  return origin;
}

export function OtlpSnippet() {
  const origin = useOrigin();
  return (
    <CodeBlock
      code={`export OTEL_EXPORTER_OTLP_ENDPOINT=${origin}/api/otel
export OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20<YOUR_API_KEY>"
export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf   # or http/json
export OTEL_SERVICE_NAME=my-agent                   # the agent in Runlens`}
    />
  );
}

export function CloudflareSnippet() {
  const origin = useOrigin();
  return (
    <div className="space-y-2">
      <CodeBlock
        code={`// runlens-tail/src/index.js — deploy, then: npx wrangler secret put RUNLENS_API_KEY
export default {
  async tail(events, env) {
    await fetch("${origin}/api/v1/ingest/cloudflare", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: \`Bearer \${env.RUNLENS_API_KEY}\` },
      body: JSON.stringify(events),
    });
  },
};`}
      />
      <p className="text-xs text-zinc-500">
        Then in each Worker to trace, in <code className="font-mono">wrangler.jsonc</code>:
      </p>
      <CodeBlock code={`"tail_consumers": [{ "service": "runlens-tail" }]`} />
    </div>
  );
}

export function OutputRemoteSnippet() {
  return (
    <CodeBlock
      code={`# Live runs (read only) and finished traces, with the Output worker's own values
OUTPUT_REDIS_URL=redis://output-redis:6379
OUTPUT_TRACE_REMOTE_S3_BUCKET=acme-output-traces
OUTPUT_AWS_REGION=us-west-2
OUTPUT_AWS_ACCESS_KEY_ID=...
OUTPUT_AWS_SECRET_ACCESS_KEY=...`}
    />
  );
}
