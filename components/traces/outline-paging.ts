/** One page of an execution's outline, as the outline endpoint answers it. */
export type OutlinePage<S> = { spans: S[]; total: number; hasMore: boolean };

/**
 * Loads the outline pages after the spans already `loaded`, one after the other, reporting each
 * (`onPage`: all spans so far, the total, whether that was the last). Stops quietly when
 * `cancelled()` turns true. A page that fails rejects with its error, after every earlier page was
 * reported: calling again with the spans reported so far resumes at the failed page, so nothing is
 * fetched twice or skipped.
 */
export async function loadRemainingSpans<S>(
  loaded: S[],
  fetchPage: (offset: number) => Promise<OutlinePage<S>>,
  onPage: (spans: S[], total: number, complete: boolean) => void,
  cancelled: () => boolean = () => false,
): Promise<void> {
  let spans = loaded;
  for (;;) {
    const page = await fetchPage(spans.length);
    if (cancelled()) return;
    spans = spans.concat(page.spans);
    const complete = !page.hasMore || page.spans.length === 0;
    onPage(spans, page.total, complete);
    if (complete) return;
  }
}
