/** The fields every span takes from where it is opened: its execution, parent, agent and custom context. */
export type SpanBase = {
  executionId: string;
  parentId: string | null;
  agent: string;
  threadId: string | undefined;
  sessionId: string | undefined;
  companyId: string | undefined;
  identify: { type: string; value: string } | undefined;
};

/**
 * `{ ...base, ...rest }`: a span's record, base fields first, as the wire has them. Built on an
 * object literal, not on a spread copy: V8 makes each property added to a spread copy cost about a
 * microsecond (the copy's shape has no shared transitions), which made record building the largest
 * part of the SDK's CPU per record.
 */
export function onBase<R extends object>(base: SpanBase, rest: R): SpanBase & R {
  return Object.assign(
    {
      executionId: base.executionId,
      parentId: base.parentId,
      agent: base.agent,
      threadId: base.threadId,
      sessionId: base.sessionId,
      companyId: base.companyId,
      identify: base.identify,
    },
    rest,
  );
}
