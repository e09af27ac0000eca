import { ApiClientError, createApiClient } from "../contracts/client.ts";

export { ApiClientError };

/**
 * The portal's client of its own API (lib/contracts/client.ts): same-origin paths with the session
 * cookie, errors thrown as ApiClientError. Outside production each JSON answer is also checked
 * against its endpoint's response schema, as route() checks it on the server; production builds
 * skip it (an execution's outline or a metric result can be large, and the server already answered
 * from the same schema).
 */
export const api = createApiClient({
  baseUrl: "",
  fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
  validate: process.env.NODE_ENV !== "production",
});
