/**
 * The deploy files hold up as far as this machine allows: no systemd runs as PID 1 here, but
 * `systemd-analyze verify` reads the unit as systemd would and names whatever it would ignore.
 */

import assert from "node:assert/strict";

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
    /^ExecStart=\S*deno run --no-config --import-map \/opt\/denoqueue\/import_map\.json .*\/opt\/denoqueue\/denoqueue\.js --store sqlite:\/var\/lib\/denoqueue\//m,
  );
  assert.match(unit, /^StateDirectory=denoqueue$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^EnvironmentFile=-\/etc\/denoqueue\/env$/m);
});
