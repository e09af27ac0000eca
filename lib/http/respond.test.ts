import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError } from "./errors";
import { formatPath, handle, readJson } from "./respond";

describe("API error format", () => {
  it("formats field paths the way API.md shows them", () => {
    expect(formatPath(["traces", 3, "llm", "usage"])).toBe("traces[3].llm.usage");
    expect(formatPath([])).toBe("(root)");
  });

  it("turns validation failures into 400 validation_error naming each field", async () => {
    const route = handle(async (req: Request) =>
      Response.json(await readJson(req, z.object({ a: z.number(), b: z.string() }))),
    );
    const res = await route(new Request("http://x/", { method: "POST", body: JSON.stringify({ a: "1" }) }));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(["a", "b"]);
  });

  it("refuses bodies over the limit with 413 payload_too_large", async () => {
    const route = handle(async (req: Request) => Response.json(await readJson(req, z.unknown(), 10)));
    const res = await route(
      new Request("http://x/", { method: "POST", body: JSON.stringify({ long: "x".repeat(50) }) }),
    );
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
  });

  it("hides unexpected errors behind a 500 and keeps typed ones", async () => {
    const boom = handle(async () => {
      throw new Error("secret internals");
    });
    const res = await boom();
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain("secret internals");
    const typed = await handle(async () => {
      throw new ApiError(409, "conflict_here", "Conflict.");
    })();
    expect(typed.status).toBe(409);
  });
});
