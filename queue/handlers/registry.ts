/**
 * The handler registry: the handlers themselves, where their code may run (each worker, the
 * sandboxed catalog worker, tests). It finds each type, checks payloads, describes the types
 * and groups them by the permissions they declare.
 * @module
 */

import { z } from "zod";
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS } from "../backoff.ts";
import { ValidationError } from "../errors.ts";
import { failingField, issueField } from "../issue_field.ts";
import { builtinHandlers } from "./builtin.ts";
import { DEFAULT_TIMEOUT, type Handler } from "./define.ts";
import type {
  JobTypes,
  PayloadCheck,
  PayloadResult,
  Sandbox,
  TypeDescription,
  TypePolicy,
} from "./job_types.ts";
import {
  importedSources,
  type LoadedHandler,
  loadHandlers,
  type ModuleSource,
} from "./module_loader.ts";
import { checkPermissions, permissionsKey } from "./permissions.ts";

export { HandlerLoadError, handlersFromModule, moduleName } from "./module_loader.ts";
export type { TypeDescription, TypePolicy } from "./job_types.ts";

/** The `ValidationError` for a type no handler defines, listing the known ones. */
export function unknownTypeError(type: string, known: string[], fieldPrefix = ""): ValidationError {
  return new ValidationError(
    `Unknown job type ${JSON.stringify(type)}; known types: ${known.join(", ")}`,
    `${fieldPrefix}type`,
    { knownTypes: known },
    "unknown_type",
  );
}

/** Policy of a handler, defaults filled in, frozen to be shared by every job of its type. */
export function policyOf(
  spec: { timeout?: number; retry?: Handler["retry"] },
): TypePolicy {
  return Object.freeze({
    timeout: spec.timeout ?? DEFAULT_TIMEOUT,
    maxAttempts: spec.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: Object.freeze({ ...DEFAULT_BACKOFF, ...spec.retry?.backoff }),
  });
}

/**
 * @example
 * ```ts
 * import { HandlerRegistry } from "./registry.ts";
 * const registry = await HandlerRegistry.load([]);
 * registry.validate("sleep", { ms: 10 });
 * ```
 */
export class HandlerRegistry implements JobTypes {
  #handlers = new Map<string, Handler>();
  #modules = new Map<string, string>();
  #policies = new Map<string, TypePolicy>();

  /** Handlers, each alone or with the module that defines it. */
  constructor(handlers: readonly (Handler | LoadedHandler)[]) {
    for (const entry of handlers) {
      const { handler, module } = "handler" in entry
        ? entry
        : { handler: entry, module: undefined };
      if (this.#handlers.has(handler.type)) {
        throw new TypeError(`Two handlers define the job type ${JSON.stringify(handler.type)}`);
      }
      // A handler made by another copy of the library is put in canonical form here too.
      const permissions = checkPermissions(handler.type, handler.permissions);
      this.#handlers.set(handler.type, { ...handler, permissions });
      if (module !== undefined) this.#modules.set(handler.type, module);
    }
  }

  /**
   * The built-in handlers plus those of the given modules: absolute URLs (imported here), or
   * sources that say how to import them.
   */
  static async load(modules: readonly (string | ModuleSource)[]): Promise<HandlerRegistry> {
    const sources = modules.map((module) =>
      typeof module === "string" ? importedSources([module])[0] : module
    );
    return new HandlerRegistry([...builtinHandlers, ...await loadHandlers(sources)]);
  }

  get(type: string): Handler | undefined {
    return this.#handlers.get(type);
  }

  /** Every type name, sorted. */
  types(): string[] {
    return [...this.#handlers.keys()].sort();
  }

  /** The module that defines the type (`undefined` for a built-in). */
  moduleOf(type: string): string | undefined {
    return this.#modules.get(type);
  }

  /** The type's timeout and retry policy, with defaults filled in. */
  policy(type: string): TypePolicy {
    let policy = this.#policies.get(type);
    if (policy === undefined) {
      // One frozen object per type, shared by its jobs: nothing is copied per enqueue.
      policy = policyOf(this.#require(type));
      this.#policies.set(type, policy);
    }
    return policy;
  }

  check(items: readonly PayloadCheck[]): PayloadResult[] {
    return items.map(({ type, payload, prefix }) => {
      try {
        return { ok: true, payload: this.validate(type, payload, prefix) };
      } catch (error) {
        if (error instanceof ValidationError) return { ok: false, error };
        // A schema whose own code throws (a refinement, a transform) refuses the payload.
        const field = `${prefix}payload`;
        const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return {
          ok: false,
          error: new ValidationError(
            `Invalid payload for ${type}: ${field}: its schema threw ${thrown}`,
            field,
            undefined,
            "invalid_payload",
          ),
        };
      }
    });
  }

  sandboxes(): Sandbox[] {
    const sandboxes = new Map<string, Sandbox>();
    for (const type of this.types()) {
      const { permissions } = this.#handlers.get(type)!;
      const key = permissionsKey(permissions);
      let sandbox = sandboxes.get(key);
      if (sandbox === undefined) {
        sandbox = { key, permissions, types: [], modules: [] };
        sandboxes.set(key, sandbox);
      }
      sandbox.types.push(type);
      const module = this.#modules.get(type);
      if (module !== undefined && !sandbox.modules.includes(module)) sandbox.modules.push(module);
    }
    return [...sandboxes.values()];
  }

  /**
   * Returns the payload as the type's schema parses it, or throws a `ValidationError` naming
   * the field (`payload.to`, or `payload` for the whole).
   */
  validate(type: string, payload: unknown, fieldPrefix = ""): unknown {
    const handler = this.#require(type, fieldPrefix);
    const parsed = handler.payload.safeParse(payload);
    if (parsed.success) return parsed.data;
    const base = `${fieldPrefix}payload`;
    const { field, message } = failingField(parsed.error, base);
    throw new ValidationError(`Invalid payload for ${type}: ${field}: ${message}`, field, {
      issues: parsed.error.issues.map((i) => ({ field: issueField(i, base), message: i.message })),
    }, "invalid_payload");
  }

  describe(): TypeDescription[] {
    return this.types().map((type) => {
      const handler = this.#handlers.get(type)!;
      const { timeout, maxAttempts, backoff } = this.policy(type);
      return {
        type,
        description: handler.description,
        timeout,
        retry: { maxAttempts, backoff },
        permissions: handler.permissions,
        payloadSchema: z.toJSONSchema(handler.payload, { unrepresentable: "any", io: "input" }),
        example: handler.example,
      };
    });
  }

  #require(type: string, fieldPrefix = ""): Handler {
    const handler = this.#handlers.get(type);
    if (handler === undefined) throw unknownTypeError(type, this.types(), fieldPrefix);
    return handler;
  }
}
