import { type InputHTMLAttributes, type SelectHTMLAttributes, useId } from "react";
import { cn } from "./cn";
import { useHydrated } from "./use-hydrated";

const CONTROL =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-xs placeholder:text-zinc-400 focus:border-indigo-500 focus:outline-none dark:border-zinc-700 dark:bg-zinc-900";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string };

/** A labelled input with its error under it (aria-linked). */
export function Field({ label, error, hint, className, id, ...rest }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className={className}>
      <label htmlFor={inputId} className="mb-1 block text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      <input
        id={inputId}
        aria-invalid={!!error}
        aria-describedby={error ? `${inputId}-error` : undefined}
        className={cn(CONTROL, error && "border-red-500")}
        {...rest}
      />
      {error ? (
        <p id={`${inputId}-error`} className="mt-1 text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : hint ? (
        <p className="mt-1 text-xs text-zinc-500">{hint}</p>
      ) : null}
    </div>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { label?: string };

export function Select({ label, className, id, children, disabled, ...rest }: SelectProps) {
  const auto = useId();
  const hydrated = useHydrated();
  const selectId = id ?? auto;
  return (
    <div className={className}>
      {label && (
        <label htmlFor={selectId} className="mb-1 block text-sm font-medium text-zinc-700 dark:text-zinc-300">
          {label}
        </label>
      )}
      <select id={selectId} className={CONTROL} disabled={disabled || !hydrated} {...rest}>
        {children}
      </select>
    </div>
  );
}

/** The compact control of filter bars and inline forms (selects, search boxes, dates). */
export const COMPACT_CONTROL =
  "rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

/** A native select in the compact control style, without a visible label (give it aria-label). */
export function InlineSelect({ className, disabled, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  // Disabled until hydrated: a choice made before React listens would be lost (useHydrated).
  const hydrated = useHydrated();
  // A native select is as wide as its longest option: an agent named with a paragraph would push
  // the filter bar off the page. The closed select shows the chosen option cut at this width.
  return <select className={cn(COMPACT_CONTROL, "max-w-64", className)} disabled={disabled || !hydrated} {...rest} />;
}
