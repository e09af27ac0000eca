import { describe, expect, it } from "vitest";
import { UnavailableError, unavailability } from "./unavailable.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("unavailability", () => {
  it("recognises an unreachable, restarting or silent Postgres", () => {
    expect(unavailability(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toEqual({
      service: "database",
      reason: "unreachable",
    });
    expect(unavailability(withCode("terminating connection due to administrator command", "57P01"))).toMatchObject({
      service: "database",
    });
    expect(unavailability(new Error("Query read timeout"))).toEqual({ service: "database", reason: "timeout" });
    expect(unavailability(new Error("Connection terminated due to connection timeout"))).toMatchObject({
      reason: "timeout",
    });
    // Prisma 7 through the pg adapter: the driver's error under meta.
    const prisma = Object.assign(new Error("Raw query failed"), {
      name: "PrismaClientKnownRequestError",
      code: "P2010",
      meta: { driverAdapterError: { cause: { kind: "postgres", code: "57P01" } } },
    });
    expect(unavailability(prisma)).toMatchObject({ service: "database" });
    expect(unavailability(withCode("Can't reach database server", "P1001"))).toMatchObject({ service: "database" });
  });

  it("recognises a down, slow or full Redis, also inside an aborted MULTI", () => {
    expect(unavailability(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toEqual({
      service: "redis",
      reason: "unreachable",
    });
    expect(unavailability(new Error("Command timed out"))).toEqual({ service: "redis", reason: "timeout" });
    const oom = new Error("OOM command not allowed when used memory > 'maxmemory'.");
    expect(unavailability(oom)).toEqual({ service: "redis", reason: "full" });
    const aborted = Object.assign(new Error("EXECABORT Transaction discarded because of previous errors."), {
      previousErrors: [oom],
    });
    expect(unavailability(aborted)).toEqual({ service: "redis", reason: "full" });
    expect(unavailability(new UnavailableError({ service: "redis", reason: "unreachable" }, "x"))).toMatchObject({
      service: "redis",
    });
  });

  it("leaves errors of the request or its data alone", () => {
    expect(unavailability(withCode("duplicate key value violates unique constraint", "23505"))).toBeNull();
    expect(unavailability(withCode("invalid input syntax for type json", "22P02"))).toBeNull();
    expect(unavailability(withCode("date/time field value out of range", "22008"))).toBeNull();
    expect(unavailability(new TypeError("x is undefined"))).toBeNull();
    expect(unavailability("Query read timeout")).toBeNull();
    expect(unavailability(null)).toBeNull();
  });
});
