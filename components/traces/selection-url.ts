/**
 * The explorer's selection as it lives in the URL: `?span=<spanId>` (the selected span, opened when
 * the link is followed) and `?message=<messageId>` (the chat bubble it was opened from). Other
 * parameters (a review queue's filters, for instance) are kept as they are.
 */
export type SelectionParams = { span: string | null; message: string | null };

export function readSelection(params: { get(name: string): string | null }): SelectionParams {
  return { span: params.get("span") || null, message: params.get("message") || null };
}

/** `href` with the selection written into its query, or unchanged when it already says so. */
export function withSelection(href: string, selection: SelectionParams): string {
  const url = new URL(href);
  for (const key of ["span", "message"] as const) {
    const value = selection[key];
    if (value) url.searchParams.set(key, value);
    else url.searchParams.delete(key);
  }
  return url.href;
}
