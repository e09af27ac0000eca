import { ROLES, type Role } from "../contracts/common.ts";

/** Workspace roles (declared with the API contracts), enforced on the server by `can`. */
export { ROLES, type Role };

export type Permission =
  | "workspace.read" // see executions, threads, metrics, reviews
  | "workspace.manage" // rename, redaction rules, sources
  | "members.manage" // invite, change roles, remove (not owners)
  | "owners.manage" // grant or remove the owner role
  | "apiKeys.manage"
  | "ingest.operate" // retry failed batches, load sample data, import files
  | "metrics.edit" // create, move and delete cards
  | "reviews.write"
  | "data.delete"; // delete executions, erase a user's data

const GRANTS: Record<Role, readonly Permission[]> = {
  owner: [
    "workspace.read",
    "workspace.manage",
    "members.manage",
    "owners.manage",
    "apiKeys.manage",
    "ingest.operate",
    "metrics.edit",
    "reviews.write",
    "data.delete",
  ],
  admin: [
    "workspace.read",
    "workspace.manage",
    "members.manage",
    "apiKeys.manage",
    "ingest.operate",
    "metrics.edit",
    "reviews.write",
    "data.delete",
  ],
  operator: ["workspace.read", "ingest.operate", "metrics.edit", "reviews.write"],
  reviewer: ["workspace.read", "reviews.write"],
  viewer: ["workspace.read"],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
