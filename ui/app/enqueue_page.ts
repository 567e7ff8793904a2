/**
 * The enqueue form: a job type from `GET /api/types` (with its policy and permissions), a JSON
 * payload editor prefilled with the type's example, optional options, and the API's validation
 * errors shown next to the field they name (`details.field`). Malformed JSON is reported before
 * anything is sent.
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useState } from "preact/hooks";
import { api, ApiError, errorMessage } from "./api_client.ts";
import type { JobDetail, JobOptionsInput, TypeDescription } from "./api_types.ts";
import { formatDuration, formatJson, shortId } from "./format.ts";
import { html } from "./html.ts";
import { jobHref } from "./router.ts";
import { permissionsText } from "./sandboxes.ts";
import { StatusBadge } from "./status_badge.ts";
import { apiFieldErrors, describedBy, FieldError, type FieldErrors } from "./form_errors.ts";

const OPTION_FIELDS = [
  { name: "maxAttempts", label: "Max attempts", hint: (t: TypeDescription) => t.retry.maxAttempts },
  { name: "timeout", label: "Timeout (ms)", hint: (t: TypeDescription) => t.timeout },
  { name: "delay", label: "Delay (ms)", hint: () => 0 },
] as const;

type OptionName = typeof OPTION_FIELDS[number]["name"];

/** One line on a type: what it does, its timeout and retry policy, and its permissions. */
function typeHelp(description: TypeDescription): string {
  const { retry } = description;
  const policy = `Timeout ${
    formatDuration(description.timeout)
  }, up to ${retry.maxAttempts} attempt${retry.maxAttempts === 1 ? "" : "s"}, backoff from ${
    formatDuration(retry.backoff.base)
  } ×${retry.backoff.factor}. Permissions: ${permissionsText(description.permissions)}.`;
  return description.description ? `${description.description}. ${policy}` : policy;
}

/** `#/enqueue[?type=…]`: the form, preset to `type` when the address names one. */
export function EnqueuePage({ query }: { query: URLSearchParams }) {
  const [types, setTypes] = useState<TypeDescription[] | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [type, setType] = useState("");
  const [payload, setPayload] = useState("");
  const [options, setOptions] = useState<Record<OptionName, string>>({
    maxAttempts: "",
    timeout: "",
    delay: "",
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<JobDetail | undefined>();
  const [busy, setBusy] = useState(false);

  const choose = (name: string, list = types) => {
    const description = list?.find((entry) => entry.type === name);
    setType(name);
    setPayload(description?.example === undefined ? "{}" : formatJson(description.example));
    setErrors({});
  };

  useEffect(() => {
    const controller = new AbortController();
    api.types(controller.signal).then((list) => {
      setTypes(list);
      const wanted = query.get("type");
      const initial = list.find((entry) => entry.type === wanted) ?? list[0];
      if (initial) choose(initial.type, list);
    }, (error) => {
      if (!controller.signal.aborted) setLoadError(errorMessage(error));
    });
    return () => controller.abort();
  }, []);

  // Move focus to the first field with an error, so keyboard and screen reader users land on it.
  useEffect(() => {
    const slot = ["type", "payload", ...OPTION_FIELDS.map((f) => `options.${f.name}`)]
      .find((key) => errors[key]);
    if (slot) document.getElementById(`enqueue-${slot.replace("options.", "")}`)?.focus();
  }, [errors]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setCreated(undefined);
    const found: FieldErrors = {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch (error) {
      found.payload = [`The payload is not valid JSON: ${errorMessage(error)}`];
    }
    const chosen: JobOptionsInput = {};
    for (const { name, label } of OPTION_FIELDS) {
      const text = options[name].trim();
      if (text === "") continue;
      const value = Number(text);
      if (!Number.isFinite(value)) found[`options.${name}`] = [`${label} must be a number`];
      else chosen[name] = value;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const options = Object.keys(chosen).length > 0 ? chosen : undefined;
      setCreated(await api.enqueue({ type, payload: parsed, options }));
    } catch (error) {
      setErrors(
        error instanceof ApiError ? apiFieldErrors(error) : { form: [errorMessage(error)] },
      );
    } finally {
      setBusy(false);
    }
  };

  if (loadError) {
    return html`<p class="notice notice-error" role="alert">Could not load the job types: ${loadError}</p>`;
  }
  if (types === undefined) return html`<p class="muted" role="status">Loading job types…</p>`;
  const description = types.find((entry) => entry.type === type);

  return html`
    <div class="page" data-testid="enqueue-page">
      <h1>Enqueue a job</h1>
      <form class="card form" novalidate onSubmit=${submit} data-testid="enqueue-form">
        <div class="field">
          <label for="enqueue-type">Type</label>
          <select
            id="enqueue-type"
            data-testid="enqueue-type"
            value=${type}
            aria-invalid=${errors.type ? "true" : undefined}
            aria-describedby=${describedBy(errors, "type", "error-type", "type-help")}
            onChange=${(event: Event) => choose((event.currentTarget as HTMLSelectElement).value)}
          >
            ${types.map((entry) =>
              html`<option key=${entry.type} value=${entry.type}>${entry.type}</option>`
            )}
          </select>
          ${description &&
            html`<p class="help" id="type-help">${typeHelp(description)}</p>`}
          <${FieldError} id="error-type" messages=${errors.type} />
        </div>
        <div class="field">
          <label for="enqueue-payload">Payload (JSON)</label>
          <textarea
            id="enqueue-payload"
            class="code"
            rows="8"
            spellcheck=${false}
            data-testid="enqueue-payload"
            value=${payload}
            aria-invalid=${errors.payload ? "true" : undefined}
            aria-describedby=${describedBy(errors, "payload", "error-payload")}
            onInput=${(event: Event) =>
              setPayload((event.currentTarget as HTMLTextAreaElement).value)}
          ></textarea>
          <${FieldError} id="error-payload" messages=${errors.payload} />
          ${description &&
            html`
              <details class="schema">
                <summary>Payload schema</summary>
                <pre class="code small">${formatJson(description.payloadSchema)}</pre>
              </details>
            `}
        </div>
        <fieldset class="options">
          <legend>Options <span class="muted">(leave empty for the type's defaults)</span></legend>
          <div class="option-grid">
            ${OPTION_FIELDS.map(({ name, label, hint }) =>
              html`
                <div class="field" key=${name}>
                  <label for=${`enqueue-${name}`}>${label}</label>
                  <input
                    id=${`enqueue-${name}`}
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    placeholder=${description ? String(hint(description)) : ""}
                    data-testid=${`enqueue-${name}`}
                    value=${options[name]}
                    aria-invalid=${errors[`options.${name}`] ? "true" : undefined}
                    aria-describedby=${describedBy(errors, `options.${name}`, `error-${name}`)}
                    onInput=${(event: Event) =>
                      setOptions({
                        ...options,
                        [name]: (event.currentTarget as HTMLInputElement).value,
                      })}
                  />
                  <${FieldError} id=${`error-${name}`} messages=${errors[`options.${name}`]} />
                </div>
              `
            )}
          </div>
          <${FieldError} id="error-options" messages=${errors.options} />
        </fieldset>
        <${FieldError} id="error-form" messages=${errors.form} />
        <div class="button-row">
          <button type="submit" class="button primary" disabled=${busy}
            data-testid="enqueue-submit">
            ${busy ? "Enqueueing…" : "Enqueue"}
          </button>
        </div>
        <div role="status" class="created" data-testid="enqueue-result">
          ${created &&
            html`<p class="notice notice-ok">
              Created job <a class="mono" href=${jobHref(created.id)} data-testid="created-job-link"
                >${shortId(created.id)}</a>
              <${StatusBadge} status=${created.status} />
            </p>`}
        </div>
      </form>
    </div>
  `;
}
