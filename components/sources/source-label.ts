import type { SOURCES } from "@/lib/contracts/executions";

export type SourceName = (typeof SOURCES)[number];

/** How each ingest source is named in the portal. */
export const SOURCE_LABELS: Record<SourceName, string> = {
  sdk: "SDK",
  otlp: "OpenTelemetry",
  output: "Output",
  cloudflare: "Cloudflare",
};
