import type { Metadata } from "next";
import { IngestionPanel } from "@/components/settings/ingestion-panel";
import { readConfig } from "@/lib/config";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Ingestion" };

export default async function IngestionPage() {
  const ctx = await requirePortalContext();
  const config = readConfig();
  return (
    <IngestionPanel
      canRetry={ctx.can("ingest.operate")}
      database={config.databaseUrl ? "Postgres" : "embedded PGlite"}
      maxPayloadChars={config.maxPayloadChars}
    />
  );
}
