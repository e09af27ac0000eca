import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { receiveOtlpTraces } from "@/lib/ingest/sources/otlp/receive";

export const dynamic = "force-dynamic";

/** OTLP/HTTP traces: `OTEL_EXPORTER_OTLP_ENDPOINT=<portal>/api/otel` makes SDKs post here. */
export const POST = async (req: Request) => receiveOtlpTraces(await getDb(), req);

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
