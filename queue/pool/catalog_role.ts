/**
 * The catalog worker's side: in a worker with no permissions at all, it describes the job
 * types of the handler modules (so the main thread never runs their code) and checks payloads
 * of those types against their schemas.
 * @module
 */

import { ValidationError } from "../errors.ts";
import type { PayloadCheck } from "../handlers/job_types.ts";
import type { HandlerRegistry } from "../handlers/registry.ts";
import type { CheckAnswer, FromWorker, TypeSpec } from "./protocol.ts";

/** The types the handler modules define (built-ins are the main thread's own). */
export function describeModuleTypes(registry: HandlerRegistry): TypeSpec[] {
  return registry.describe().flatMap((description) => {
    const module = registry.moduleOf(description.type);
    return module === undefined ? [] : [{ ...description, module }];
  });
}

/** Checks each payload, answering as a message can carry it. */
export function answerChecks(registry: HandlerRegistry, items: PayloadCheck[]): CheckAnswer[] {
  return registry.check(items).map((result) =>
    result.ok ? result : {
      ok: false,
      code: result.error.code,
      message: result.error.message,
      field: result.error.field ?? `${items[0]?.prefix ?? ""}payload`,
      details: result.error.details,
    }
  );
}

/**
 * Sends the answers of one check; a payload as its schema parsed it that no message can carry
 * (a function, a class instance) is refused by itself, the others go through.
 */
export function postAnswers(
  post: (message: FromWorker) => void,
  requestId: number,
  answers: CheckAnswer[],
  items: PayloadCheck[],
): void {
  try {
    post({ kind: "checked", requestId, answers });
  } catch {
    post({
      kind: "checked",
      requestId,
      answers: answers.map((answer, index) => {
        if (!answer.ok) return answer;
        try {
          structuredClone(answer.payload);
          return answer;
        } catch (error) {
          const field = `${items[index].prefix}payload`;
          const problem = new ValidationError(
            `Invalid payload for ${items[index].type}: ${field}: as its schema parses it, it ` +
              `cannot be stored (${(error as Error).message})`,
            field,
            undefined,
            "invalid_payload",
          );
          return { ok: false, code: problem.code, message: problem.message, field };
        }
      }),
    });
  }
}
