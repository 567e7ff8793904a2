/**
 * The catalog worker's side: in a worker with no permissions at all, it describes the job
 * types of the handler modules (so the main thread never runs their code) and checks payloads
 * of those types against their schemas.
 * @module
 */

import type { PayloadCheck } from "../handlers/job_types.ts";
import type { HandlerRegistry } from "../handlers/registry.ts";
import type { CheckAnswer, TypeSpec } from "./protocol.ts";

/** The types the handler modules define (built-ins are the main thread's own). */
export function describeModuleTypes(registry: HandlerRegistry): TypeSpec[] {
  return registry.describe().flatMap((description) => {
    const module = registry.moduleOf(description.type);
    return module === undefined ? [] : [{ ...description, module }];
  });
}

/** The answers to one request. */
export interface RequestAnswers {
  requestId: number;
  answers: CheckAnswer[];
}

/** Checks each payload: as its schema parsed it, or why it is refused. */
export function answerChecks(registry: HandlerRegistry, items: PayloadCheck[]): CheckAnswer[] {
  return registry.check(items).map((result, index): CheckAnswer =>
    result.ok ? { ok: true, payload: result.payload } : {
      ok: false,
      code: result.error.code,
      message: result.error.message,
      field: result.error.field ?? `${items[index].prefix}payload`,
      details: result.error.details,
    }
  );
}

/**
 * The answers as JSON text. A payload JSON cannot hold (a `BigInt`, a cycle) is refused here,
 * naming its field, and the others go as they are.
 */
export function answersJson(all: RequestAnswers[], items: Map<number, PayloadCheck[]>): string {
  try {
    return JSON.stringify(all);
  } catch {
    return JSON.stringify(all.map(({ requestId, answers }) => ({
      requestId,
      answers: answers.map((answer, index) => {
        try {
          JSON.stringify(answer);
          return answer;
        } catch (error) {
          const item = items.get(requestId)![index];
          const field = `${item.prefix}payload`;
          return {
            ok: false,
            code: "invalid_payload",
            message: `Invalid payload for ${item.type}: ${field}: as its schema parses it, it ` +
              `cannot be stored as JSON (${(error as Error).message})`,
            field,
          };
        }
      }),
    })));
  }
}
