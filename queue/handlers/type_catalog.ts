/**
 * The job types as the server's main thread knows them, without running handler code: the
 * built-ins (the service's own code) answered here, the handler modules' types from the specs
 * a sandboxed worker described, their payloads checked by that worker.
 * @module
 */

import type {
  JobTypes,
  PayloadCheck,
  PayloadResult,
  Sandbox,
  TypeDescription,
  TypePolicy,
} from "./job_types.ts";
import { permissionsKey } from "./permissions.ts";
import { type HandlerRegistry, policyOf, unknownTypeError } from "./registry.ts";

/** A module's job type, as described by the worker that loaded it. */
export interface ModuleTypeSpec extends TypeDescription {
  module: string;
}

/** Checks payloads of the modules' types where their code runs. */
export interface RemoteChecker {
  check(items: PayloadCheck[]): Promise<PayloadResult[]>;
}

/**
 * @example
 * ```ts ignore
 * const catalog = new TypeCatalog(await HandlerRegistry.load([]), specs, catalogWorker);
 * await catalog.check([{ type: "welcome", payload: { to: "a@example.com" }, prefix: "" }]);
 * ```
 */
export class TypeCatalog implements JobTypes {
  #builtins: HandlerRegistry;
  #specs = new Map<string, ModuleTypeSpec>();
  #policies = new Map<string, TypePolicy>();
  #checker: RemoteChecker;
  #types: string[];

  constructor(builtins: HandlerRegistry, specs: ModuleTypeSpec[], checker: RemoteChecker) {
    this.#builtins = builtins;
    this.#checker = checker;
    for (const spec of specs) {
      this.#specs.set(spec.type, spec);
      this.#policies.set(
        spec.type,
        policyOf({ timeout: spec.timeout, retry: spec.retry }),
      );
    }
    this.#types = [...builtins.types(), ...this.#specs.keys()].sort();
  }

  types(): string[] {
    return [...this.#types];
  }

  policy(type: string): TypePolicy {
    if (this.#builtins.get(type) !== undefined) return this.#builtins.policy(type);
    const policy = this.#policies.get(type);
    if (policy === undefined) throw unknownTypeError(type, this.#types);
    return policy;
  }

  check(items: readonly PayloadCheck[]): PayloadResult[] | Promise<PayloadResult[]> {
    const results: PayloadResult[] = [];
    const remote: number[] = [];
    for (const [index, item] of items.entries()) {
      const { type } = item;
      if (typeof type !== "string") {
        results.push({ ok: true, payload: undefined }); // The job builder refuses it first.
      } else if (this.#builtins.get(type) !== undefined) {
        results.push(this.#builtins.check([item])[0]);
      } else if (this.#specs.has(type)) {
        results.push({ ok: true, payload: undefined });
        remote.push(index);
      } else {
        results.push({ ok: false, error: unknownTypeError(type, this.#types, item.prefix) });
      }
    }
    if (remote.length === 0) return results;
    return this.#checker.check(remote.map((index) => items[index])).then((answers) => {
      for (const [i, index] of remote.entries()) results[index] = answers[i];
      return results;
    });
  }

  describe(): TypeDescription[] {
    const modules = [...this.#specs.values()].map(({ module: _, ...description }) => description);
    return [...this.#builtins.describe(), ...modules]
      .sort((a, b) => a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
  }

  sandboxes(): Sandbox[] {
    const sandboxes = new Map<string, Sandbox>(
      this.#builtins.sandboxes().map((sandbox) => [sandbox.key, { ...sandbox }]),
    );
    for (const spec of this.#specs.values()) {
      const key = permissionsKey(spec.permissions);
      const sandbox = sandboxes.get(key) ??
        { key, permissions: spec.permissions, types: [], modules: [] };
      sandboxes.set(key, sandbox);
      sandbox.types = [...sandbox.types, spec.type].sort();
      if (!sandbox.modules.includes(spec.module)) {
        sandbox.modules = [...sandbox.modules, spec.module];
      }
    }
    return [...sandboxes.values()];
  }
}
