/**
 * The Deno version the project pins: `.ci/run` installs it, the README runs it with
 * `npx -y deno@VERSION`, and the container starts from its image.
 * @module
 */

/** The version `.ci/run` names in `DENO_VERSION=`, e.g. "2.9.6". */
export function pinnedDenoVersion(): string {
  const ci = Deno.readTextFileSync(new URL("../../.ci/run", import.meta.url));
  const version = /^DENO_VERSION=(\S+)$/m.exec(ci)?.[1];
  if (!version) throw new Error(".ci/run names no DENO_VERSION");
  return version;
}
