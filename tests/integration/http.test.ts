import { describe, expect, it } from "vitest";
import { GET as unknownGet, POST as unknownPost } from "@/app/api/[...path]/route";
import { GET as health } from "@/app/api/health/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as setupPost } from "@/app/api/v1/setup/route";
import { adminCreateWorkspace } from "@/lib/workspaces/admin";
import { request, withAppDb } from "../helpers/app";

describe("HTTP conventions", () => {
  const app = withAppDb();

  it("GET /api/health reports the database mode and Redis", async () => {
    const res = await health(request("/api/health"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", db: app.db().url ? "postgres" : "embedded" });
    expect(body.redis).toBe(process.env.REDIS_URL ? "connected" : "disabled");
    expect(typeof body.version).toBe("string");
  });

  it("unknown /api paths answer JSON 404", async () => {
    for (const res of [
      await unknownGet(request("/api/v1/nope")),
      await unknownPost(request("/api/nope", { body: {} })),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect((await res.json()).error.code).toBe("not_found");
    }
  });

  it("a malformed JSON body answers 400 in the error format", async () => {
    const res = await setupPost(
      request("/api/v1/setup", { body: "{not json", headers: { "content-type": "application/json" } }),
    );
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_json");
    expect(error.message).toMatch(/not valid JSON/);
  });

  it("a bad query parameter is a validation error naming it; an unknown key is 401 first", async () => {
    const key = "rl_http_test_key_0123456789";
    await adminCreateWorkspace(app.db(), { name: "Http", apiKey: key });
    const path = "/api/v1/runtime/v1/observability/executions?limit=5000&status=weird";
    expect((await listExecutions(request(path, { bearer: "rl_unknown" }))).status).toBe(401);
    const res = await listExecutions(request(path, { bearer: key }));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("validation_error");
    expect(error.details.map((d: { path: string }) => d.path).sort()).toEqual(["limit", "status"]);
  });
});
