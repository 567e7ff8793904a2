/**
 * The shell commands README.md gives: every line of a ```sh block and every inline `code` span
 * that is a command, in the order a reader meets them, split into words as a shell would.
 * @module
 */

/** One command as the README writes it. */
export interface ReadmeCommand {
  /** The command, continuation lines joined and white space collapsed, comment removed. */
  text: string;
  /** Its trailing `# comment` in a block, without the `#`; "" if none. */
  comment: string;
  /** Line of README.md it starts on, from 1. */
  line: number;
  where: "block" | "inline";
}

/** Programs a README command may start with; a command starting with anything else is refused. */
export const PROGRAMS = new Set([
  "npx",
  "deno",
  "curl",
  "docker",
  "sudo",
  "systemctl",
  "apt-get",
  "npm",
  "kill",
  "mkdir",
  "cp",
  "systemd-analyze",
  "runuser",
]);

/** Fenced block languages the README may use: shell commands go in `sh` blocks only (`text` is output). */
export const BLOCK_LANGUAGES = new Set(["sh", "ts", "ts ignore", "text"]);

/** Every command in `readme`, in document order. Throws on a fenced block of another language. */
export function readmeCommands(readme: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  const lines = readme.split("\n");
  let prose = "";
  let proseStart = 1;
  const flushProse = () => {
    commands.push(...inlineCommands(prose, proseStart));
    prose = "";
  };
  for (let index = 0; index < lines.length; index++) {
    const fence = /^```(.*)$/.exec(lines[index]);
    if (!fence) {
      if (prose === "") proseStart = index + 1;
      prose += lines[index] + "\n";
      continue;
    }
    flushProse();
    const language = fence[1].trim();
    if (!BLOCK_LANGUAGES.has(language)) {
      throw new Error(`README.md line ${index + 1}: a \`\`\`${language} block; commands go in sh`);
    }
    const body: string[] = [];
    const start = index + 2;
    while (!lines[++index].startsWith("```")) body.push(lines[index]);
    if (language === "sh") commands.push(...blockCommands(body, start));
  }
  flushProse();
  return commands;
}

/** The commands of a ```sh block whose first line is README line `start`. */
function blockCommands(body: string[], start: number): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  let text = "";
  let line = start;
  for (const [offset, raw] of body.entries()) {
    if (text === "") line = start + offset;
    const { code, comment } = splitComment(raw);
    const continued = code.trimEnd().endsWith("\\");
    text += " " + (continued ? code.trimEnd().slice(0, -1) : code);
    if (continued) continue;
    const command = collapse(text);
    if (command) commands.push({ text: command, comment, line, where: "block" });
    text = "";
  }
  return commands;
}

/** The inline `code` spans of `prose` (README text from line `start`) that are commands. */
function inlineCommands(prose: string, start: number): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const match of prose.matchAll(/`([^`]+)`/g)) {
    const text = collapse(match[1]);
    if (!isCommand(text)) continue;
    const line = start + prose.slice(0, match.index).split("\n").length - 1;
    commands.push({ text, comment: "", line, where: "inline" });
  }
  return commands;
}

/** Whether an inline span is a command (rather than a path, a flag, a name or a value). */
export function isCommand(text: string): boolean {
  const words = withoutAssignments(shellWords(text));
  if (words.length === 0) return false;
  return PROGRAMS.has(words[0]) || words[0].startsWith("ExecStart=") ||
    /^\.\/[\w-]+(\.sh)?$/.test(words[0]);
}

/** Splits a code line from its `# comment` (a `#` after white space, outside quotes). */
function splitComment(line: string): { code: string; comment: string } {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = "";
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
      return { code: line.slice(0, i), comment: line.slice(i + 1).trim() };
    }
  }
  return { code: line, comment: "" };
}

/** Collapses runs of white space to one space. */
function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The simple commands of a command line: split at `&&`, `||`, `;` and `|` outside quotes. */
export function simpleCommands(text: string): string[][] {
  const commands: string[][] = [[]];
  for (const word of shellWords(text, true)) {
    if (["&&", "||", ";", "|"].includes(word)) commands.push([]);
    else commands.at(-1)!.push(word);
  }
  return commands.map(withoutAssignments).filter((words) => words.length > 0);
}

/** Shell words, quotes removed; with `operators`, `&&`, `||`, `;`, `|` are words of their own. */
export function shellWords(text: string, operators = false): string[] {
  const pattern = operators
    ? /&&|\|\||[;|]|(?:"[^"]*"|'[^']*'|[^\s"';|&]+|&(?!&))+/g
    : /(?:"[^"]*"|'[^']*'|[^\s"']+)+/g;
  return [...text.matchAll(pattern)].map(([word]) =>
    word.replace(/"([^"]*)"|'([^']*)'/g, (_, double, single) => double ?? single)
  );
}

/** The words after any leading `NAME=value` assignments (an `ExecStart=` line is kept whole). */
function withoutAssignments(words: string[]): string[] {
  let first = 0;
  while (first < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[first])) first++;
  return words.slice(first);
}
