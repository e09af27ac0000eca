import { otherMethods } from "@/lib/http/methods";
import { receiveOtlpTraces } from "@/lib/ingest/otlp-receiver";

export const dynamic = "force-dynamic";

/** OTLP/HTTP traces: `OTEL_EXPORTER_OTLP_ENDPOINT=<portal>/api/otel` makes SDKs post here. */
export const POST = (req: Request) => receiveOtlpTraces(req);

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
