/**
 * The handler registry: loads handler modules, finds each type, validates payloads and
 * describes the types. Both the main thread (validation) and each worker (running) build one.
 * @module
 */

import { z } from "zod";
import { type BackoffPolicy, DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS } from "../backoff.ts";
import { type ValidationCode, ValidationError } from "../errors.ts";
import { failingField, issueField } from "../issue_field.ts";
import { builtinHandlers } from "./builtin.ts";
import { DEFAULT_TIMEOUT, type Handler, isHandler } from "./define.ts";

/** A type's timeout and retry policy, defaults filled in. */
export interface TypePolicy {
  readonly timeout: number;
  readonly maxAttempts: number;
  readonly backoff: Readonly<BackoffPolicy>;
}

/** What `GET /api/types` says of a type. */
export interface TypeDescription {
  type: string;
  description?: string;
  timeout: number;
  retry: { maxAttempts: number; backoff: BackoffPolicy };
  payloadSchema: unknown;
  example?: unknown;
}

/**
 * A handler module that cannot be used: missing, not valid code, exporting no handler, or
 * defining a job type another handler (or a built-in) defines. One line, naming the module and
 * the type, for the person starting the service.
 */
export class HandlerLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandlerLoadError";
  }
}

const BUILT_IN = "(built in)";

/** How messages name a module: its path for a local file, else its URL. */
export function moduleName(specifier: string): string {
  return specifier.startsWith("file:")
    ? decodeURIComponent(new URL(specifier).pathname)
    : specifier;
}

/** Collects handlers from a module's exports: handlers, or arrays of them, under any name. */
export function handlersFromModule(module: Record<string, unknown>, specifier: string): Handler[] {
  const found: Handler[] = [];
  for (const value of Object.values(module)) {
    if (isHandler(value)) found.push(value);
    else if (Array.isArray(value)) found.push(...value.filter(isHandler));
  }
  if (found.length === 0) {
    throw new TypeError(
      `Handler module ${specifier} exports no handler (export the result of defineHandler)`,
    );
  }
  return [...new Set(found)];
}

/** Imports each module and returns its handlers. */
export async function importHandlers(specifiers: readonly string[]): Promise<Handler[]> {
  const handlers: Handler[] = [];
  // Where each type was defined, to name both places when two define it.
  const definedIn = new Map<string, string>(
    builtinHandlers.map((handler) => [handler.type, BUILT_IN]),
  );
  for (const specifier of specifiers) {
    const name = moduleName(specifier);
    let module: Record<string, unknown>;
    try {
      module = await import(specifier);
    } catch (error) {
      throw new HandlerLoadError(`Cannot load the handler module ${name}: ${why(error)}`, {
        cause: error,
      });
    }
    let found: Handler[];
    try {
      found = handlersFromModule(module, name);
    } catch (error) {
      throw new HandlerLoadError((error as Error).message, { cause: error });
    }
    for (const handler of found) {
      const other = definedIn.get(handler.type);
      if (other !== undefined) throw typeClash(handler.type, name, other);
      definedIn.set(handler.type, name);
    }
    handlers.push(...found);
  }
  return handlers;
}

/** Two definitions of one job type: where they are, in one line. */
function typeClash(type: string, module: string, other: string): HandlerLoadError {
  const named = JSON.stringify(type);
  if (other === BUILT_IN) {
    return new HandlerLoadError(
      `The handler module ${module} defines the job type ${named}, which is built in: ` +
        "choose another name",
    );
  }
  if (other === module) {
    return new HandlerLoadError(`The handler module ${module} defines the job type ${named} twice`);
  }
  return new HandlerLoadError(
    `The handler modules ${other} and ${module} both define the job type ${named}`,
  );
}

/** Why an import failed, in one line: the first line of Deno's message, with its position. */
function why(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/^Module not found/.test(message)) return "no such file";
  const [first] = message.split("\n");
  const at = /\bat (file:\/\/\S+:(\d+):(\d+))\s*$/.exec(message);
  return at === null ? first : `${first} (line ${at[2]}, column ${at[3]})`;
}

/**
 * @example
 * ```ts
 * import { HandlerRegistry } from "./registry.ts";
 * const registry = await HandlerRegistry.load([]);
 * registry.validate("sleep", { ms: 10 });
 * ```
 */
export class HandlerRegistry {
  #handlers = new Map<string, Handler>();
  #policies = new Map<string, TypePolicy>();

  constructor(handlers: readonly Handler[]) {
    for (const handler of handlers) {
      if (this.#handlers.has(handler.type)) {
        throw new TypeError(`Two handlers define the job type ${JSON.stringify(handler.type)}`);
      }
      this.#handlers.set(handler.type, handler);
    }
  }

  /** The built-in handlers plus those of the given modules (absolute URLs). */
  static async load(modules: readonly string[]): Promise<HandlerRegistry> {
    return new HandlerRegistry([...builtinHandlers, ...await importHandlers(modules)]);
  }

  get(type: string): Handler | undefined {
    return this.#handlers.get(type);
  }

  /** Every type name, sorted. */
  types(): string[] {
    return [...this.#handlers.keys()].sort();
  }

  /** The type's timeout and retry policy, with defaults filled in. */
  policy(type: string): TypePolicy {
    let policy = this.#policies.get(type);
    if (policy === undefined) {
      const handler = this.#require(type);
      // One frozen object per type, shared by its jobs: nothing is copied per enqueue.
      policy = Object.freeze({
        timeout: handler.timeout ?? DEFAULT_TIMEOUT,
        maxAttempts: handler.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        backoff: Object.freeze({ ...DEFAULT_BACKOFF, ...handler.retry?.backoff }),
      });
      this.#policies.set(type, policy);
    }
    return policy;
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
    return this.#fail(
      "invalid_payload",
      `Invalid payload for ${type}: ${field}: ${message}`,
      field,
      {
        issues: parsed.error.issues.map((i) => ({
          field: issueField(i, base),
          message: i.message,
        })),
      },
    );
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
        payloadSchema: z.toJSONSchema(handler.payload, { unrepresentable: "any", io: "input" }),
        example: handler.example,
      };
    });
  }

  #require(type: string, fieldPrefix = ""): Handler {
    const handler = this.#handlers.get(type);
    if (handler === undefined) {
      return this.#fail(
        "unknown_type",
        `Unknown job type ${JSON.stringify(type)}; known types: ${this.types().join(", ")}`,
        `${fieldPrefix}type`,
        { knownTypes: this.types() },
      );
    }
    return handler;
  }

  #fail(
    code: ValidationCode,
    message: string,
    field: string,
    details: Record<string, unknown>,
  ): never {
    throw new ValidationError(message, field, details, code);
  }
}
