/**
 * Cancel, retry and delete for one job, each showing the API's answer: what was done, or the
 * API's error message. Delete asks for confirmation inside the page. Only the actions the
 * signed-in key's role allows are shown.
 * @module
 */

/// <reference lib="dom" />

import { useState } from "preact/hooks";
import { api, errorMessage } from "./api_client.ts";
import { FINAL_STATUSES, type JobDetail } from "./api_types.ts";
import { shortId } from "./format.ts";
import { html } from "./html.ts";
import { jobHref } from "./router.ts";
import { useCan } from "./session_context.ts";

type Outcome = { ok: boolean; text: string; link?: string };

/** What {@linkcode JobActions} acts on and reports to. */
export interface JobActionsProps {
  job: JobDetail;
  /** The API answered with the job's new state. */
  onChanged: (job: JobDetail) => void;
  onDeleted: () => void;
  /** The job is gone: only the last answer stays. */
  deleted?: boolean;
}

/** The buttons that fit the job's status, and the last answer. */
export function JobActions({ job, onChanged, onDeleted, deleted }: JobActionsProps) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const can = useCan();

  const act = async (action: () => Promise<Outcome>) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      setOutcome(await action());
    } catch (error) {
      setOutcome({ ok: false, text: errorMessage(error) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const cancel = () =>
    act(async () => {
      const updated = await api.cancel(job.id);
      onChanged(updated);
      return { ok: true, text: `Cancelled: the job is now ${updated.status}.` };
    });
  const retry = () =>
    act(async () => {
      const created = await api.retry(job.id);
      return { ok: true, text: `Retried as new job ${shortId(created.id)}`, link: created.id };
    });
  const remove = () =>
    act(async () => {
      const { deleted } = await api.remove(job.id);
      onDeleted();
      return { ok: true, text: `Deleted job ${shortId(deleted)}.` };
    });

  const canCancel = can("cancel") && !deleted && !FINAL_STATUSES.has(job.status);
  const canRetry = can("retry") && !deleted &&
    (job.status === "failed" || job.status === "cancelled");
  const canDelete = can("delete") && !deleted;
  // A key that may do none of them sees no action area at all.
  if (!can("cancel") && !can("retry") && !can("delete")) return null;
  return html`
    <div class="actions" data-testid="job-actions">
      <div class="button-row">
        ${canCancel &&
          html`
            <button type="button" class="button" disabled=${busy} onClick=${cancel}
              data-testid="action-cancel">Cancel</button>
          `}
        ${canRetry &&
          html`
            <button type="button" class="button primary" disabled=${busy} onClick=${retry}
              data-testid="action-retry">Retry</button>
          `}
        ${canDelete &&
          html`
            <button
              type="button"
              class="button danger"
              disabled=${busy}
              aria-expanded=${confirming}
              onClick=${() => {
                setOutcome(undefined);
                setConfirming(true);
              }}
              data-testid="action-delete"
            >Delete</button>
          `}
      </div>
      ${confirming && canDelete &&
        html`
          <div class="confirm" role="group" aria-label="Confirm delete" data-testid="delete-confirm">
            <p>Delete this job and its history?${job.status === "in-progress"
              ? " It is running: it will be cancelled first."
              : ""}</p>
            <div class="button-row">
              <button type="button" class="button danger" disabled=${busy} onClick=${remove}
                data-testid="delete-confirm-yes">Yes, delete</button>
              <button type="button" class="button" disabled=${busy}
                onClick=${() => setConfirming(false)}>Keep it</button>
            </div>
          </div>
        `}
      <p
        class=${`notice ${outcome ? (outcome.ok ? "notice-ok" : "notice-error") : ""}`}
        role="status"
        data-testid="action-result"
      >
        ${outcome?.text}${outcome?.link &&
          html`: <a href=${jobHref(outcome.link)} data-testid="retried-job-link">open it</a>`}
      </p>
    </div>
  `;
}
