/**
 * The text of `--help`: every option with its environment variable and default.
 * @module
 */

import { envName, OPTIONS } from "./options.ts";

/** The text of `--help`. */
export function helpText(): string {
  const lines = [
    "DenoQueue: a job queue service with a REST API, Web Worker pool and live dashboard.",
    "",
    "Usage: deno task start [options]",
    "",
    "Options (each also read from the environment variable shown):",
  ];
  for (const [flag, spec] of Object.entries(OPTIONS)) {
    lines.push(spec.kind === "boolean" ? `  --${flag}` : `  --${flag} <value>`);
    lines.push(`      ${spec.description}.`);
    lines.push(`      Env ${envName(flag)}; default ${spec.fallback() || "(none)"}.`);
  }
  lines.push("  -h, --help", "      Show this help.");
  return lines.join("\n");
}
