import type { APIRequestContext, Page } from "@playwright/test";

export const EXECUTIONS_API = "/api/v1/runtime/v1/observability/executions";

/** Lists executions the way a service does: with an API key and nothing else. */
export function listExecutions(request: APIRequestContext, key: string) {
  return request.get(EXECUTIONS_API, { headers: { authorization: `Bearer ${key}` } });
}

/**
 * Calls the portal API from inside the page, so the browser sends the session cookie and its own
 * Origin exactly as the portal's UI does. Returns the status and parsed body.
 */
export function fetchFromPage(page: Page, path: string, init: { method: string; body?: unknown }) {
  return page.evaluate(
    async ({ path, method, body }) => {
      const res = await fetch(path, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    { path, method: init.method, body: init.body },
  );
}
