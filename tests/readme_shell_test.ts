/**
 * README.md's shell commands work as written on the machine it addresses (Node.js and npm, no
 * global Deno): each is checked (Deno through `npx -y deno@VERSION`, tasks that exist, flags the
 * server knows), then run in reading order, or listed below with the reason it cannot run here.
 * The TypeScript examples are run by readme_test.ts.
 */

import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../api/config/parse.ts";
import { pinnedDenoVersion } from "./support/pinned_deno.ts";
import { PROGRAMS, readmeCommands, shellWords, simpleCommands } from "./support/readme_commands.ts";
import {
  curlAnswer,
  makeShell,
  readStream,
  runToEnd,
  type ShellServer,
  startServer,
  stopServer,
} from "./support/readme_shell.ts";
import { waitFor } from "./support/wait.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const README = Deno.readTextFileSync(`${ROOT}README.md`);
const COMMANDS = readmeCommands(README);
const DENO = `npx -y deno@${pinnedDenoVersion()}`;
const TASKS = Object.keys(JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks);
const UNIT = Deno.readTextFileSync(`${ROOT}deploy/denoqueue.service`);
/** What the README copies of the bundle: `dist/*.js` and `dist/import_map.json`. */
const BUNDLE = (name: string) => name.endsWith(".js") || name === "import_map.json";
/** npx may have to fetch Deno from the registry first: allow for a slow download. */
const SLOW = 300_000;

/** Commands run to their end, expected to exit 0. */
const RUN_TO_END = new Set([
  `${DENO} task build`,
  `${DENO} task bundle`,
  `${DENO} task lint`,
  `${DENO} task check`,
  "systemd-analyze verify deploy/denoqueue.service",
]);

/** Servers, by what the README has the reader do before starting each. */
const SERVERS: Record<string, "nothing" | "save my_handlers.ts" | "save both" | "copy the bundle"> =
  {
    [`${DENO} task start`]: "nothing",
    [`${DENO} task start --handlers ./my_handlers.ts`]: "save my_handlers.ts",
    [`${DENO} run --no-prompt --unstable-worker-options --allow-net --allow-read --allow-write --allow-env my_server.ts`]:
      "save both",
    [`${DENO} run --no-config --no-prompt --unstable-worker-options --unstable-no-legacy-abort --import-map import_map.json --allow-net --allow-read --allow-write --allow-env --v8-flags=--max-semi-space-size=2 denoqueue.js`]:
      "copy the bundle",
  };

const NO_DOCKER = "no container daemon here: tests/deploy_test.ts carries out the Dockerfile";
const NO_SYSTEMD = "installs into the system as root for systemd, which is not PID 1 here";
const BENCH = "minutes of load on every core: a measurement, not a test";
const PG_SERVER =
  "needs a PostgreSQL server of the system's: the tests/cluster_*_test.ts run nodes on a private cluster";
const KEYS_SESSION =
  "needs a server with a master key: tests/auth_process_test.ts runs the Keys and roles session";

/** Commands not run, each with the reason. */
const NOT_RUN: Record<string, string> = {
  [`${DENO} task test`]: "the suite itself, which runs this test",
  [`${DENO} task dev`]: "a watcher that restarts the server on change: task start runs it",
  [`${DENO} task fmt`]: "rewrites the tree's files in place",
  [`${DENO} task compile`]: "downloads Deno's runtime from dl.deno.land, closed here",
  "./denoqueue --port 8080 --store sqlite:/var/lib/denoqueue/jobs.db":
    "the executable task compile makes; its flags are checked above",
  [`DENOQUEUE_HANDLERS=./my_handlers.ts ${DENO} task compile`]:
    "downloads Deno's runtime from dl.deno.land, closed here; tests/deploy/compile_test.ts checks its arguments",
  "./dist/denoqueue --handlers ./my_handlers.ts": "the executable task compile makes",
  [`${DENO} check my_handlers.ts`]:
    "tests/readme_test.ts type-checks and runs the README's handler module",
  [`${DENO} check --config /path/to/denoqueue/deno.json my_handlers.ts`]:
    "a placeholder path; tests/bundle_test.ts loads the handler module from another folder",
  "kill -9": "prose: tests/durability_test.ts does it to a running server",
  [`${DENO} task backup -- --store sqlite:./data/denoqueue.db --to ./backups/jobs-copy.db`]:
    "needs a server's database file: tests/deploy/backup_test.ts runs it while a server writes",
  [`${DENO} task migrate -- --from sqlite:./data/denoqueue.db --to postgres://queue@db.internal:5432/jobs`]:
    "needs a PostgreSQL server: tests/deploy/migrate_test.ts runs it on a private cluster",
  "apt-get install chromium": "installs a system package as root; .ci/run does it",
  "sudo apt-get install -y postgresql": "installs a system package as root; .ci/run does it",
  "sudo runuser -u postgres -- createuser --pwprompt queue": PG_SERVER,
  "sudo runuser -u postgres -- createdb --owner queue jobs": PG_SERVER,
  [`DENOQUEUE_STORE=postgres://queue:PASSWORD@db.internal:5432/jobs ${DENO} task start --port 8080 --handlers ./my_handlers.ts`]:
    PG_SERVER,
  [`DENOQUEUE_STORE=postgres://queue:PASSWORD@db.internal:5432/jobs ${DENO} task start --port 8081 --handlers ./my_handlers.ts`]:
    PG_SERVER,
  [`${DENO} task bench`]: BENCH,
  [`${DENO} task bench:compare`]: `${BENCH}, with Redis and the BullMQ peer`,
  [`${DENO} task bench --n 200000 --only enqueueAddBulk,enqueueSingleAdd50,processC50`]: BENCH,
  [`${DENO} task bench --workers 1 --only processC50`]: BENCH,
  [`${DENO} run -A tests/bench/db_size.ts`]: "writes 200,000 jobs: a measurement",
  [`${DENO} task bench --stores postgres`]: `${BENCH}, on a private PostgreSQL cluster`,
  [`${DENO} run -A tests/bench/pg_bloat.ts`]:
    "runs 400,000 jobs through PostgreSQL and waits for autovacuum: a measurement",
  [`${DENO} run -A tests/bench/profile_server.ts --no-profile`]:
    "runs 40,000 jobs through PostgreSQL and reads CPU counters: a measurement",
  "./run.sh 20000 1": "the BullMQ peer's own script, in its folder, with Redis",
  "docker build -f deploy/Dockerfile -t denoqueue .": NO_DOCKER,
  "docker run -d --name denoqueue --stop-timeout 30 -p 127.0.0.1:8080:8080 -e DENOQUEUE_MASTER_KEY -v denoqueue-data:/data denoqueue":
    NO_DOCKER,
  "docker run -d --name denoqueue --stop-timeout 30 -p 127.0.0.1:8080:8080 -e DENOQUEUE_MASTER_KEY -v denoqueue-data:/data -v ./my_handlers.ts:/app/handlers/my_handlers.ts:ro denoqueue --handlers /app/handlers/my_handlers.ts":
    NO_DOCKER,
  "docker stop denoqueue": NO_DOCKER,
  [`DENOQUEUE_MASTER_KEY="$MASTER_KEY" ${DENO} task start`]: KEYS_SESSION,
  ...Object.fromEntries(
    COMMANDS.filter(({ text }) => text.startsWith("curl ") && /\$(MASTER_KEY|KEY)\b/.test(text))
      .map(({ text }) => [text, KEYS_SESSION]),
  ),
  "ExecStart=/usr/bin/deno run --no-config --no-prompt --unstable-worker-options --unstable-no-legacy-abort --import-map /opt/denoqueue/import_map.json --allow-net --allow-read --allow-write --allow-env --v8-flags=--max-semi-space-size=2 /opt/denoqueue/denoqueue.js --store sqlite:/var/lib/denoqueue/jobs.db":
    "a line of the unit, run by systemd (checked above to be the unit's own)",
  [`sudo npm install -g deno@${pinnedDenoVersion()}`]: NO_SYSTEMD,
  "sudo mkdir -p /opt/denoqueue": NO_SYSTEMD,
  "sudo cp dist/*.js dist/import_map.json /opt/denoqueue/": NO_SYSTEMD,
  "sudo cp deploy/denoqueue.service /etc/systemd/system/": NO_SYSTEMD,
  "sudo systemctl daemon-reload": NO_SYSTEMD,
  "sudo systemctl enable --now denoqueue": NO_SYSTEMD,
};

/** `docker run` options the README uses, and whether each takes a value. */
const DOCKER_RUN_OPTIONS: Record<string, boolean> = {
  "-d": false,
  "--name": true,
  "--stop-timeout": true,
  "-p": true,
  "-v": true,
  "-e": true,
};

/** What is wrong with one command as the README writes it, if anything. */
function problems(text: string): string[] {
  const found: string[] = [];
  const serverFlags = (args: string[]) => {
    try {
      parseConfig(args, {}, "/");
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      found.push(`the server refuses it: ${error.message}`);
    }
  };
  const denoArgs = (args: string[]) => {
    if (args[0] === "task") {
      if (!TASKS.includes(args[1])) found.push(`deno.json has no task ${args[1]}`);
      if (args[1] === "start" || args[1] === "dev") serverFlags(args.slice(2));
    } else if (args[0] === "run") {
      const script = args.findIndex((arg, i) => i > 0 && !arg.startsWith("-"));
      if (/(^|\/)(denoqueue\.js|main\.ts)$/.test(args[script])) serverFlags(args.slice(script + 1));
    }
  };
  for (let words of simpleCommands(text)) {
    if (words[0] === "sudo") words = words.slice(1);
    const [program, ...args] = words;
    if (program.startsWith("ExecStart=")) {
      // A systemd unit's line: the server's own deno, as the unit names it.
      if (!UNIT.split("\n").includes(text)) found.push("is not deploy/denoqueue.service's line");
      denoArgs(args);
    } else if (program === "deno" || program.endsWith("/deno")) {
      found.push(`a bare deno: the README's machine has none; write ${DENO} …`);
    } else if (program === "npx") {
      if (`${args[0]} ${args[1]}` !== DENO.slice(4)) found.push(`npx must run ${DENO}`);
      denoArgs(args.slice(2));
    } else if (program === "./denoqueue" || program === "./dist/denoqueue") {
      serverFlags(args);
    } else if (program === "docker" && args[0] === "run") {
      let i = 1;
      while (args[i]?.startsWith("-")) {
        if (!(args[i] in DOCKER_RUN_OPTIONS)) found.push(`teach the test docker run ${args[i]}`);
        i += DOCKER_RUN_OPTIONS[args[i]] ? 2 : 1;
      }
      serverFlags(args.slice(i + 1)); // what follows the image goes to the server
    } else if (!PROGRAMS.has(program) && !/^\.\/[\w-]+(\.sh)?$/.test(program)) {
      found.push(`${program} is no program the README's machine has`);
    }
  }
  return found;
}

Deno.test("README commands run Deno through npx, name real tasks and give the server its options", () => {
  const found = COMMANDS.flatMap(({ text, line }) =>
    problems(text).map((problem) => `README.md line ${line}: ${text}: ${problem}`)
  );
  assert.deepEqual(found, []);
});

Deno.test("README command checks refuse a bare deno, an unknown task and an unknown flag", () => {
  assert.equal(problems("deno task start").length, 1);
  assert.equal(problems(`${DENO} task nope`).length, 1);
  assert.equal(problems(`${DENO} task start --bogus 1`).length, 1);
  assert.equal(problems("docker run -d denoqueue --port abc").length, 1);
  assert.equal(
    problems(`${DENO} task bench --workers 1|2|4`).length,
    2,
    "`2` and `4` are no programs",
  );
  assert.match(problems("ExecStart=/usr/bin/deno run main.ts")[0], /denoqueue\.service/);
});

Deno.test("every README command is run by the test below or listed with the reason it is not", () => {
  const texts = new Set(COMMANDS.map(({ text }) => text));
  const listed = [...RUN_TO_END, ...Object.keys(SERVERS), ...Object.keys(NOT_RUN)];
  const unlisted = [...texts].filter((text) => !text.startsWith("curl ") && !listed.includes(text));
  assert.deepEqual(unlisted, [], "a README command neither run nor listed with a reason");
  assert.deepEqual(listed.filter((text) => !texts.has(text)), [], "listed, not in README.md");
});

/** The first ```ts block after `marker` in the README. */
function tsBlockAfter(marker: string): string {
  const from = README.indexOf(marker);
  assert.ok(from >= 0, `README.md no longer says ${marker}`);
  const start = README.indexOf("\n", README.indexOf("```ts", from)) + 1;
  return README.slice(start, README.indexOf("\n```", start) + 1);
}

/** Replaces `from` with `to` in `text`, insisting that it is there. */
function rewrite(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `README.md no longer has ${from}`);
  return text.replaceAll(from, to);
}

/** Enqueues a job that fails at once, and resolves with its id once it has failed. */
async function failedJob(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const { id } = await fetch(`${base}/api/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "fail-absolute", payload: null, options: { maxAttempts: 1 } }),
  }).then((r) => r.json());
  const status = () => fetch(`${base}/api/jobs/${id}`).then((r) => r.json()).then((j) => j.status);
  await waitFor(async () => await status() === "failed", { timeout: 30_000, message: "a failure" });
  return id;
}

/** Checks curl's answer against the command's comment: `# 201 {"key":"value",…}`. */
function assertAnswers(where: string, stdout: string, comment: string, id: string): void {
  const { body, status } = curlAnswer(stdout);
  const expected = /^(\d{3})\b/.exec(comment)?.[1];
  if (expected) assert.equal(status, Number(expected), `${where}: ${body}`);
  else assert.ok(status >= 200 && status < 300, `${where}: ${status} ${body}`);
  for (const [, key, quoted] of comment.matchAll(/"(\w+)":(?:"([^"]*)"|[^,}\s]+)/g)) {
    const answer = JSON.parse(body);
    assert.ok(key in answer, `${where}: no ${key} in ${body}`);
    if (quoted !== undefined && quoted !== "…") {
      assert.equal(answer[key], quoted.replace(/\bID\b/g, id), `${where}: ${key}`);
    }
  }
}

Deno.test("README commands run as written on a PATH without a global deno", async () => {
  const folder = await Deno.makeTempDir({ prefix: "denoqueue-readme-" });
  // Through the environment, as a reader may: a free port, a store of its own, fast demo jobs.
  const shell = await makeShell(folder, {
    DENOQUEUE_PORT: "0",
    DENOQUEUE_WORKERS: "1",
    DENOQUEUE_DEMO_SPEED: "0.01",
  });
  const bare = await runToEnd(shell, "deno --version", ROOT, 10_000);
  assert.equal(bare.code, 127, "no deno on the PATH but the one npx fetches");
  const saved = new Set<string>();
  const save = async (name: string, text: string) => {
    await Deno.writeTextFile(`${ROOT}${name}`, text);
    saved.add(`${ROOT}${name}`);
  };
  let server: ShellServer | undefined;
  const stop = async (current: ShellServer) => {
    server = undefined;
    // The README: a SIGTERM to npx's PID stops the start task's server; the others, a group's.
    await stopServer(current, current.command.includes(" task start") ? "first" : "group");
    assert.ok(
      // A plain line (the library example's own log) or the service's JSON line.
      current.lines.some((line) => line === "Stopped" || line.includes('"msg":"Stopped"')),
      `${current.command}:\n${current.lines.join("\n")}`,
    );
  };
  let failedId = "";
  const done = new Set<string>();
  try {
    for (const { text, comment, line } of COMMANDS) {
      if (done.has(text) || text in NOT_RUN) continue;
      done.add(text);
      const where = `README.md line ${line}: ${text}`;
      if (RUN_TO_END.has(text)) {
        const { code, stdout, stderr } = await runToEnd(shell, text, ROOT, SLOW);
        assert.equal(code, 0, `${where}\n${stdout}${stderr}`);
        continue;
      }
      const prepare = SERVERS[text];
      if (prepare) {
        if (server) await stop(server);
        let cwd = ROOT;
        if (prepare === "save my_handlers.ts" || prepare === "save both") {
          await save("my_handlers.ts", tsBlockAfter("Save this as `my_handlers.ts`"));
        }
        if (prepare === "save both") {
          let entry = tsBlockAfter("**As a library**");
          entry = rewrite(entry, "port: 8080", "port: 0");
          entry = rewrite(entry, "sqlite:./data/", `sqlite:${folder}/library-`);
          await save("my_server.ts", entry);
        }
        if (prepare === "copy the bundle") {
          cwd = `${folder}/bundle`;
          await Deno.mkdir(cwd);
          for (const { name } of Deno.readDirSync(`${ROOT}dist`)) {
            if (BUNDLE(name)) await Deno.copyFile(`${ROOT}dist/${name}`, `${cwd}/${name}`);
          }
        }
        const store = `sqlite:${folder}/server-${line}.db`;
        server = await startServer(shell, text, cwd, { DENOQUEUE_STORE: store }, SLOW);
        continue;
      }
      assert.ok(text.startsWith("curl ") && server, `${where}: no server runs`);
      const port = server.port;
      // The reader lists failed jobs and takes an ID from there: there must be one to take.
      if (/\bID\b|status=failed/.test(text)) failedId ||= await failedJob(port);
      const command = rewrite(text, "localhost:8080", `localhost:${port}`)
        .replace(/\bID\b/g, failedId);
      if (shellWords(command).includes("-N")) {
        // A stream: its first event is enough, then it is stopped as Ctrl-C would.
        const seen = await readStream(shell, command, "event: stats", 30_000);
        assert.match(seen, /^retry: 2000\n/, where);
        continue;
      }
      const { code, stdout, stderr } = await runToEnd(shell, command, ROOT, 30_000);
      assert.equal(code, 0, `${where}\n${stderr}`);
      assertAnswers(where, stdout, comment, failedId);
      if (text.includes("status=failed")) assert.ok(stdout.includes(failedId), where);
    }
    assert.ok(failedId, "the GoQueue session ran");
  } finally {
    if (server) await stop(server);
    for (const file of saved) await Deno.remove(file);
    await Deno.remove(folder, { recursive: true });
  }
});
