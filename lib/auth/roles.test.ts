import { describe, expect, it } from "vitest";
import { can, isRole, ROLES } from "./roles";

describe("roles", () => {
  it("every role can read; only owners and admins manage keys and members", () => {
    for (const r of ROLES) expect(can(r, "workspace.read")).toBe(true);
    expect(ROLES.filter((r) => can(r, "apiKeys.manage"))).toEqual(["owner", "admin"]);
    expect(ROLES.filter((r) => can(r, "members.manage"))).toEqual(["owner", "admin"]);
    expect(ROLES.filter((r) => can(r, "owners.manage"))).toEqual(["owner"]);
  });

  it("reviewers review, operators operate, viewers only read", () => {
    expect(ROLES.filter((r) => can(r, "reviews.write"))).toEqual(["owner", "admin", "operator", "reviewer"]);
    expect(ROLES.filter((r) => can(r, "ingest.operate"))).toEqual(["owner", "admin", "operator"]);
    expect(ROLES.filter((r) => !can(r, "reviews.write"))).toEqual(["viewer"]);
    expect(can("viewer", "metrics.edit")).toBe(false);
  });

  it("recognises role names", () => {
    expect(isRole("reviewer")).toBe(true);
    expect(isRole("root")).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
