/**
 * The deploy files hold up as far as this machine allows: no systemd runs as PID 1 here, but
 * `systemd-analyze verify` reads the unit as systemd would and names whatever it would ignore;
 * no container daemon runs either, so the Dockerfile's instructions are carried out here in order.
 */

import assert from "node:assert/strict";
import { type Instruction, type Keyword, readDockerfile } from "./support/dockerfile.ts";
import { type ListeningProcess, startListening } from "./support/listening.ts";
import { pinnedDenoVersion } from "./support/pinned_deno.ts";
import { waitFor, within } from "./support/wait.ts";

const UNIT = new URL("../deploy/denoqueue.service", import.meta.url).pathname;

Deno.test("deploy/denoqueue.service passes systemd-analyze verify without a warning", async () => {
  const { code, stdout, stderr } = await new Deno.Command("systemd-analyze", {
    args: ["verify", UNIT],
    env: { SYSTEMD_LOG_COLOR: "0" },
  }).output();
  const said = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, said);
  assert.equal(said.trim(), "", "systemd would ignore or question something");
});

Deno.test("deploy/denoqueue.service starts the bundle, with its import map, and its data in its state directory", () => {
  const unit = Deno.readTextFileSync(UNIT);
  assert.match(
    unit,
    /^ExecStart=\S*deno run --no-config --no-prompt --unstable-worker-options --unstable-no-legacy-abort --import-map \/opt\/denoqueue\/import_map\.json .*\/opt\/denoqueue\/denoqueue\.js --store sqlite:\/var\/lib\/denoqueue\//m,
  );
  assert.match(unit, /^StateDirectory=denoqueue$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^EnvironmentFile=-\/etc\/denoqueue\/env$/m);
});

// deploy/Dockerfile. No container daemon runs here: its instructions are read, checked, and
// carried out on this machine in order, a temporary folder standing in for the image's root and
// this machine's deno (the pinned version) for the image's. Not checked: the user switch, the
// volume's mount and ownership, the base image itself.

const ROOT = new URL("../", import.meta.url).pathname;
const DOCKERFILE_TEXT = Deno.readTextFileSync(new URL("../deploy/Dockerfile", import.meta.url));
const DOCKERFILE = readDockerfile(DOCKERFILE_TEXT);

/** The one instruction with `keyword` (the last, as Docker keeps the last). */
function last(keyword: Keyword): Instruction {
  const found = DOCKERFILE.findLast((instruction) => instruction.keyword === keyword);
  assert.ok(found, `deploy/Dockerfile has no ${keyword}`);
  return found;
}

/** Every ENV value, in order, later ones winning. */
function imageEnv(): Record<string, string> {
  return Object.assign({}, ...DOCKERFILE.filter((i) => i.keyword === "ENV").map((i) => i.values));
}

Deno.test("deploy/Dockerfile starts from the Deno image of the pinned version", () => {
  assert.equal(last("FROM").words[0], `denoland/deno:${pinnedDenoVersion()}`);
});

Deno.test("deploy/Dockerfile runs the bundle as a user, on 0.0.0.0 inside, its store on a volume", () => {
  const user = last("USER").words[0];
  assert.ok(!["root", "0"].includes(user), `runs as ${user}`);
  const env = imageEnv();
  assert.equal(env.DENOQUEUE_HOST, "0.0.0.0");
  assert.deepEqual(last("EXPOSE").words, [env.DENOQUEUE_PORT]);
  const store = /^sqlite:(\/.+)$/.exec(env.DENOQUEUE_STORE)?.[1];
  const volumes = DOCKERFILE.filter((i) => i.keyword === "VOLUME").flatMap((i) => i.words);
  assert.ok(store && volumes.some((v) => store.startsWith(`${v}/`)), `${store} not on a volume`);
  assert.equal(last("STOPSIGNAL").words[0], "SIGTERM");
  const entry = last("ENTRYPOINT").command;
  assert.ok(entry, "ENTRYPOINT in exec form, so signals reach deno with no shell between");
  assert.deepEqual(entry.slice(0, 6), [
    "deno",
    "run",
    "--no-config",
    "--no-prompt",
    "--unstable-worker-options",
    "--unstable-no-legacy-abort",
  ]);
  assert.ok(entry.includes("--v8-flags=--max-semi-space-size=2"), "the start task's V8 flags");
  const copied = DOCKERFILE.filter((i) => i.keyword === "COPY").flatMap((i) =>
    i.words.slice(0, -1).map((source) => `${i.words.at(-1)}${source.split("/").at(-1)}`)
  );
  const isCopied = (path: string) => copied.some((pattern) => globMatches(pattern, path));
  assert.ok(isCopied(entry.at(-1)!), `${entry.at(-1)} is not copied in`);
  const importMap = entry[entry.indexOf("--import-map") + 1];
  assert.ok(entry.includes("--import-map") && isCopied(importMap), "handler modules' import map");
  assert.deepEqual(last("CMD").command, [], "CMD in exec form, empty: flags are appended");
  const health = last("HEALTHCHECK").command;
  assert.ok(health?.[0] === "deno" && health.join(" ").includes("/healthz"), String(health));
});

Deno.test("deploy/Dockerfile publishes the port on loopback only, and says why", () => {
  assert.match(DOCKERFILE_TEXT, /docker build -f deploy\/Dockerfile /);
  assert.match(DOCKERFILE_TEXT, /DENOQUEUE_MASTER_KEY/);
  const published = [...DOCKERFILE_TEXT.matchAll(/\s-p\s+(\S+)/g)].map((m) => m[1]);
  assert.ok(published.length > 0, "shows how to publish the port");
  for (const port of published) assert.match(port, /^127\.0\.0\.1:/);
});

Deno.test("deploy/Dockerfile's instructions run here in order: health check, a job, SIGTERM", async () => {
  assert.equal(Deno.version.deno, pinnedDenoVersion(), "this deno stands in for the image's");
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bundle"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(bundle.code, 0, new TextDecoder().decode(bundle.stderr));

  const image = await Deno.makeTempDir({ prefix: "denoqueue-image-" });
  /** An absolute path of the image → the same path under the stand-in root. */
  const inImage = (value: string) => value.replace(/(^|:)\//, `$1${image}/`);
  let workdir = "/";
  const env: Record<string, string> = {};
  let entry: string[] = [];
  let args: string[] = [];
  let health: string[] = [];
  let stopSignal = "";
  for (const step of DOCKERFILE) {
    switch (step.keyword) {
      case "ARG":
      case "FROM":
      case "USER":
      case "EXPOSE":
        break; // checked above: no image to pull, no user to switch to, no port to publish
      case "COPY": {
        const [destination, sources] = [step.words.at(-1)!, step.words.slice(0, -1)];
        assert.ok(destination.endsWith("/"), "COPY into a folder");
        await Deno.mkdir(inImage(destination), { recursive: true });
        for (const source of sources) {
          const folder = source.slice(0, source.lastIndexOf("/") + 1);
          const pattern = source.split("/").at(-1)!;
          const names = [...Deno.readDirSync(`${ROOT}${folder}`)].map((entry) => entry.name)
            .filter((name) => globMatches(pattern, name));
          assert.ok(names.length > 0, `COPY ${source} matches no file`);
          for (const name of names) {
            await Deno.copyFile(`${ROOT}${folder}${name}`, `${inImage(destination)}${name}`);
          }
        }
        break;
      }
      case "WORKDIR":
        workdir = step.words[0].startsWith("/") ? step.words[0] : `${workdir}/${step.words[0]}`;
        await Deno.mkdir(inImage(workdir), { recursive: true });
        break;
      case "VOLUME":
        for (const path of step.words) await Deno.mkdir(inImage(path), { recursive: true });
        break;
      case "ENV":
        Object.assign(env, step.values);
        break;
      case "STOPSIGNAL":
        stopSignal = step.words[0];
        break;
      case "HEALTHCHECK":
        health = step.command!;
        break;
      case "ENTRYPOINT":
        [entry, args] = [step.command!, []]; // as Docker, an ENTRYPOINT resets an inherited CMD
        break;
      case "CMD":
        args = step.command!;
        break;
      default:
        throw new Error(`no stand-in for ${step.keyword satisfies never}`);
    }
  }
  const containerEnv = {
    ...Object.fromEntries(Object.entries(env).map(([name, value]) => [name, inImage(value)])),
    DENO_DIR: inImage("/deno-dir"), // the base image's
    NO_COLOR: "1",
  };
  /** Runs argv as the image would, with this machine's deno and the stand-in root. */
  const asImage = (argv: string[]) => {
    assert.equal(argv[0], "deno");
    return argv.slice(1).map((arg) => arg.startsWith("/") ? inImage(arg) : arg);
  };
  const start = () =>
    startListening(Deno.execPath(), {
      args: asImage([...entry, ...args]),
      cwd: inImage(workdir),
      clearEnv: true,
      // Tests listen on loopback, on a free port; the image's 0.0.0.0 and 8080 are checked above.
      env: { ...containerEnv, DENOQUEUE_HOST: "127.0.0.1", DENOQUEUE_PORT: "0" },
    }, { timeout: 30_000 });
  const healthCheck = (port: number) =>
    new Deno.Command(Deno.execPath(), {
      args: asImage(health),
      cwd: inImage(workdir),
      clearEnv: true,
      env: { ...containerEnv, DENOQUEUE_PORT: String(port) },
    }).output();
  const stop = async (server: ListeningProcess) => {
    server.child.kill(stopSignal as Deno.Signal);
    const status = await within(server.closed, "the server to stop", 30_000);
    assert.equal(status.code, 0, server.lines.join("\n"));
  };

  try {
    let server = await start();
    const base = `http://127.0.0.1:${server.port}`;
    try {
      const healthy = async () => {
        const answer = await fetch(`${base}/healthz`);
        await answer.body?.cancel();
        return answer.ok;
      };
      await waitFor(healthy, { message: "/healthz" });
      const checked = await healthCheck(server.port);
      assert.equal(checked.code, 0, new TextDecoder().decode(checked.stderr));
      const created = await fetch(`${base}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "noop", payload: null }),
      });
      assert.equal(created.status, 201);
      const { id } = await created.json();
      await waitFor(() =>
        fetch(`${base}/api/jobs/${id}`).then((r) => r.json()).then((job) =>
          job.status === "completed"
        )
      );
    } finally {
      await stop(server);
    }
    const failed = await healthCheck(server.port);
    assert.notEqual(failed.code, 0, "the health check fails once nothing answers");

    // The job outlives the process: its store is on the volume, which the next start reuses.
    server = await start();
    try {
      const jobs = await fetch(`http://127.0.0.1:${server.port}/api/jobs`).then((r) => r.json());
      assert.deepEqual(jobs.map((job: { status: string }) => job.status), ["completed"]);
    } finally {
      await stop(server);
    }
  } finally {
    await Deno.remove(image, { recursive: true });
  }
});

/** Whether `path` matches `pattern`, where `*` in the pattern stands for any run but `/`. */
function globMatches(pattern: string, path: string): boolean {
  const source = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${source.join("[^/]*")}$`).test(path);
}
