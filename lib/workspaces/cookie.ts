/** The active-workspace cookie: a preference only; membership is checked on every request. */
export function workspaceCookie(name: string, workspaceId: string): string {
  return `${name}=${encodeURIComponent(workspaceId)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${60 * 60 * 24 * 365}`;
}
