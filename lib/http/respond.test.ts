import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, formatPath } from "../errors";
import { handle, readJson } from "./respond";

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
    const route = handle(async (req: Request) => Response.json(await readJson(req, z.unknown(), { maxBytes: 10 })));
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

describe("input sanitation", () => {
  const echo = handle(async (req: Request) => Response.json(await readJson(req, z.unknown())));
  const post = (body: string) => echo(new Request("http://x/", { method: "POST", body }));

  it("refuses a query parameter holding U+0000 with 400 naming it", async () => {
    const route = handle(async (_req: Request) => Response.json({ ok: true }));
    const res = await route(new Request("http://x/?agent=a%00b&limit=5"));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("validation_error");
    expect(error.details).toEqual([{ path: "agent", message: expect.stringContaining("U+0000") }]);
  });

  it("refuses body strings and keys Postgres cannot store, naming their path", async () => {
    for (const [body, path] of [
      ['{"tags":["ok","a\\u0000"]}', "tags[1]"],
      ['{"comment":"\\ud800 alone"}', "comment"],
      ['{"filters":{"\\u0000":1}}', "filters.\u0000"],
    ]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect((await res.json()).error.details[0].path).toBe(path);
    }
    expect((await post('{"pair":"\\ud83d\\ude42"}')).status).toBe(200);
  });

  it("refuses a body nested deeper than the limit before parsing it, naming the limit", async () => {
    const res = await post(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("too_deep");
    expect(error.message).toContain("128");
  });

  it("answers a path id Postgres cannot store with the route's not-found, where the route reads it", async () => {
    const seen: string[] = [];
    const route = handle(
      { notFound: () => new ApiError(404, "thing_not_found", "No thing.") },
      async (_req: Request, ctx: { params: Promise<{ id: string }> }) => {
        seen.push("auth");
        if (_req.headers.get("authorization") !== "yes") throw new ApiError(401, "unauthorized", "No.");
        const { id } = await ctx.params;
        seen.push(id);
        return Response.json({ id });
      },
    );
    const call = (id: string, auth = "yes") =>
      route(new Request("http://x/", { headers: { authorization: auth } }), { params: Promise.resolve({ id }) });
    expect((await call("a\u0000")).status).toBe(404);
    expect((await call("\udc00")).status).toBe(404);
    expect((await (await call("\udc00")).json()).error.code).toBe("thing_not_found");
    expect((await call("a\u0000", "no")).status).toBe(401); // credentials are checked first, as for any id
    expect((await call("fine")).status).toBe(200);
    expect(seen.filter((s) => s !== "auth")).toEqual(["fine"]);
  });
});
