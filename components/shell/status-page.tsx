import Link from "next/link";
import type { ReactNode } from "react";

type Props = {
  /** A short code shown large: "404", "Error". */
  code: string;
  title: string;
  children?: ReactNode;
  /** Ways on: links or buttons. */
  actions: ReactNode;
};

/** The designed page for what went wrong (not found, an error), in the portal's colours and theme. */
export function StatusPage({ code, title, children, actions }: Props) {
  return (
    <section
      aria-labelledby="status-title"
      className="mx-auto mt-16 max-w-lg rounded-xl border border-zinc-200 bg-white px-8 py-10 text-center shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
      data-testid="status-page"
    >
      <p className="text-sm font-semibold tracking-widest text-indigo-600 uppercase dark:text-indigo-400">{code}</p>
      <h1 id="status-title" className="mt-2 text-2xl font-semibold tracking-tight">
        {title}
      </h1>
      {children && <div className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">{children}</div>}
      <div className="mt-6 flex flex-wrap items-center justify-center gap-3">{actions}</div>
    </section>
  );
}

export const LINK_PRIMARY =
  "inline-flex h-9 items-center rounded-md bg-indigo-600 px-3.5 text-sm font-medium text-white hover:bg-indigo-500";
export const LINK_SECONDARY =
  "inline-flex h-9 items-center rounded-md border border-zinc-300 bg-white px-3.5 text-sm font-medium text-zinc-800 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800";

/** A page or a record that does not exist (or belongs to another workspace), with the ways back. */
export function NotFoundPanel({ signedIn = true }: { signedIn?: boolean }) {
  return (
    <StatusPage
      code="404"
      title="Page not found"
      actions={
        signedIn ? (
          <>
            <Link href="/overview" className={LINK_PRIMARY}>
              Back to the overview
            </Link>
            <Link href="/executions" className={LINK_SECONDARY}>
              Executions
            </Link>
          </>
        ) : (
          <Link href="/login" className={LINK_PRIMARY}>
            Sign in
          </Link>
        )
      }
    >
      There is nothing at this address in this workspace. The link may be mistyped, or what it pointed to was deleted or
      belongs to another workspace.
    </StatusPage>
  );
}
