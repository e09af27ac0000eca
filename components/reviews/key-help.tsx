"use client";

const KEYS = [
  ["j / k", "next / previous review"],
  ["Enter", "open the selected review (queue)"],
  ["g / b / n", "rate good / bad / neutral"],
  ["e", "edit the corrected output"],
  ["r", "resolve with the action, notes and corrected output"],
  ["R", "resolve, then open the next review of the queue"],
  ["?", "show or hide these keys"],
];

export function KeyHelp({ onClose }: { onClose: () => void }) {
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: clicking the backdrop closes it
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/40"
      role="presentation"
      onClick={onClose}
    >
      <div
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        className="w-80 rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900"
      >
        <h2 className="mb-3 font-semibold">Keyboard shortcuts</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          {KEYS.map(([k, v]) => (
            <div key={k} className="contents">
              <dt>
                <kbd className="rounded border border-zinc-300 px-1.5 font-mono text-xs dark:border-zinc-700">{k}</kbd>
              </dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
