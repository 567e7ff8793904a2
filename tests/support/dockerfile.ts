/**
 * A tiny reader of the Dockerfile instructions `deploy/Dockerfile` uses, so a test can check them
 * and carry them out on this machine, which has no container daemon. An instruction it does not
 * know is an error: a new one must be taught here (and carried out by the test) before it is used.
 * @module
 */

/** The instructions the reader knows. */
export const KEYWORDS = [
  "ARG",
  "FROM",
  "ENV",
  "WORKDIR",
  "COPY",
  "USER",
  "EXPOSE",
  "VOLUME",
  "STOPSIGNAL",
  "HEALTHCHECK",
  "ENTRYPOINT",
  "CMD",
] as const;

/** One of {@linkcode KEYWORDS}. */
export type Keyword = typeof KEYWORDS[number];

/** One instruction, with its variables substituted where Docker substitutes them. */
export interface Instruction {
  keyword: Keyword;
  /** Line of the Dockerfile it starts on, from 1. */
  line: number;
  /** Its leading `--name=value` options (`COPY --chown`, `HEALTHCHECK --interval`). */
  options: Record<string, string>;
  /** Its arguments after the options, split on white space (quotes kept together). */
  words: string[];
  /** `ENTRYPOINT`, `CMD`, `HEALTHCHECK CMD` in exec form: the argv; undefined in shell form. */
  command?: string[];
  /** `ENV` and `ARG`: the names and values it sets. */
  values?: Record<string, string>;
}

/** Reads `text` into its instructions, in order; throws naming the line of anything unknown. */
export function readDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const variables = new Map<string, string>();
  let seenFrom = false;
  for (const { line, content } of logicalLines(text)) {
    const [, word, rest = ""] = /^(\S+)\s*(.*)$/s.exec(content)!;
    const keyword = word.toUpperCase() as Keyword;
    if (!KEYWORDS.includes(keyword)) {
      throw new Error(`Dockerfile line ${line}: the reader does not know ${word}; teach it first`);
    }
    const execForm = keyword === "ENTRYPOINT" || keyword === "CMD" || keyword === "HEALTHCHECK";
    const expanded = execForm ? rest : substitute(rest, variables, line);
    const tokens = splitWords(expanded);
    const options: Record<string, string> = {};
    while (tokens[0]?.startsWith("--")) {
      const [name, value = ""] = tokens.shift()!.slice(2).split(/=(.*)/s);
      options[name] = value;
    }
    const instruction: Instruction = { keyword, line, options, words: tokens };
    if (execForm) {
      const body = keyword === "HEALTHCHECK" ? rest.replace(/^(--\S+\s+)*CMD\s+/s, "") : rest;
      if (body.trimStart().startsWith("[")) instruction.command = JSON.parse(body);
    }
    if (keyword === "ENV" || keyword === "ARG") {
      instruction.values = readAssignments(tokens, keyword === "ENV", line);
      // ARGs before FROM serve FROM only; after it, ARG and ENV both feed later instructions.
      for (const [name, value] of Object.entries(instruction.values)) variables.set(name, value);
    }
    if (keyword === "FROM") {
      if (seenFrom) throw new Error(`Dockerfile line ${line}: one stage only`);
      seenFrom = true;
      variables.clear();
    }
    instructions.push(instruction);
  }
  return instructions;
}

/** The lines Docker reads: continuations joined, comments and blank lines dropped. */
function* logicalLines(text: string): Generator<{ line: number; content: string }> {
  let start = 0;
  let content = "";
  for (const [index, raw] of text.split("\n").entries()) {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (content === "") start = index + 1;
    const continued = trimmed.endsWith("\\");
    content += (content ? " " : "") + (continued ? trimmed.slice(0, -1).trim() : trimmed);
    if (!continued) {
      yield { line: start, content };
      content = "";
    }
  }
  if (content) throw new Error(`Dockerfile line ${start}: ends inside a continued line`);
}

/** Replaces `$NAME` and `${NAME}` with their values; an unknown name is an error. */
function substitute(text: string, variables: Map<string, string>, line: number): string {
  return text.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, braced, bare) => {
    const name = braced ?? bare;
    const value = variables.get(name);
    if (value === undefined) throw new Error(`Dockerfile line ${line}: $${name} is not set`);
    return value;
  });
}

/** Splits on white space, keeping "double" or 'single' quoted parts together (quotes removed). */
function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/(?:"[^"]*"|'[^']*'|[^\s"']+)+/g)) {
    words.push(match[0].replace(/"([^"]*)"|'([^']*)'/g, (_, d, s) => d ?? s));
  }
  return words;
}

/** `NAME=value` words (or, for ENV only, the old `NAME value` form). */
function readAssignments(words: string[], env: boolean, line: number): Record<string, string> {
  if (env && words.length > 0 && !words[0].includes("=")) {
    return { [words[0]]: words.slice(1).join(" ") };
  }
  const values: Record<string, string> = {};
  for (const word of words) {
    const [name, value] = word.split(/=(.*)/s);
    if (value === undefined && env) throw new Error(`Dockerfile line ${line}: ${word} has no =`);
    values[name] = value ?? "";
  }
  return values;
}
