import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { readConfig } from "@/lib/config";

export const metadata: Metadata = { title: "Ingestion" };

export default function IngestionPage() {
  const config = readConfig();
  return (
    <Card className="space-y-2 p-4 text-sm">
      <h2 className="font-semibold">Pipeline</h2>
      <p>
        Queue: <strong>{config.redisUrl ? "Redis (BullMQ)" : "in-process (embedded mode)"}</strong>
      </p>
      <p>
        Database: <strong>{config.databaseUrl ? "Postgres" : "embedded PGlite"}</strong>
      </p>
      <p>
        Payload limit: <strong>{config.maxPayloadChars.toLocaleString("en-US")}</strong> characters per input or output.
      </p>
    </Card>
  );
}
