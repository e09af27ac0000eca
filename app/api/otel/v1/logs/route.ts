import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { receiveOtlpLogs } from "@/lib/ingest/sources/otlp/receive";

export const dynamic = "force-dynamic";

/** OTLP/HTTP logs: `OTEL_EXPORTER_OTLP_ENDPOINT=<portal>/api/otel` makes SDKs post log records here. */
export const POST = async (req: Request) => receiveOtlpLogs(await getDb(), req);

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
