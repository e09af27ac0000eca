import { otherMethods } from "@/lib/http/methods";
import { receiveOtlpLogs } from "@/lib/ingest/otlp-receiver";

export const dynamic = "force-dynamic";

/** OTLP/HTTP logs: `OTEL_EXPORTER_OTLP_ENDPOINT=<portal>/api/otel` makes SDKs post log records here. */
export const POST = (req: Request) => receiveOtlpLogs(req);

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
