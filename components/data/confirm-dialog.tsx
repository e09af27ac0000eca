"use client";

import { type FormEvent, useState } from "react";
import { Button } from "../ui/button";
import { Alert } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { Field } from "../ui/field";

/**
 * A destructive action confirmed by typing a word (the execution's id, "ERASE"): the button stays
 * disabled until the text matches, and the error of a failed attempt shows in the dialog.
 */
export function TypedConfirmDialog(props: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: React.ReactNode;
  word: string;
  action: string;
  pending: boolean;
  error?: string;
  onConfirm: () => void;
}) {
  const [typed, setTyped] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed === props.word) props.onConfirm();
  };
  return (
    <Dialog
      open={props.open}
      onClose={() => {
        setTyped("");
        props.onClose();
      }}
      title={props.title}
    >
      <form onSubmit={submit} className="space-y-3 text-sm">
        {props.children}
        <Field
          label={`Type ${props.word} to confirm`}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        {props.error && <Alert>{props.error}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" disabled={typed !== props.word || props.pending}>
            {props.pending ? "Deleting…" : props.action}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
