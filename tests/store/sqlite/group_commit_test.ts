/**
 * GroupCommit: writes of one tick share a transaction; a failing write fails alone, with its
 * changes and effects undone, and the others committed.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { StoreWriteError } from "../../../queue/store/errors.ts";
import { GroupCommit } from "../../../queue/store/sqlite/group_commit.ts";

function setUp() {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
  const log = { commits: 0, rollbacks: 0, effects: [] as string[] };
  const writes = new GroupCommit(db, {
    onCommitted: () => log.commits++,
    onRollback: () => log.rollbacks++,
  });
  const insert = (k: string, v: number | null) =>
    writes.run((onCommit) => {
      db.prepare("INSERT INTO t VALUES (?, ?)").run(k, v);
      onCommit(() => log.effects.push(k));
      return k;
    });
  const rows = () =>
    (db.prepare("SELECT k FROM t ORDER BY k").all() as { k: string }[]).map((row) => row.k);
  return { db, writes, log, insert, rows };
}

Deno.test("GroupCommit: writes of one tick share one commit, then settle", async () => {
  const { log, insert, rows } = setUp();
  const values = await Promise.all([insert("a", 1), insert("b", 2), insert("c", 3)]);
  assert.deepEqual(values, ["a", "b", "c"]);
  assert.equal(log.commits, 1);
  assert.equal(log.rollbacks, 0);
  assert.deepEqual(log.effects, ["a", "b", "c"]);
  assert.deepEqual(rows(), ["a", "b", "c"]);
});

Deno.test("GroupCommit: a failing write fails alone; the others are committed", async () => {
  const { writes, db, log, insert, rows } = setUp();
  const halfDone = writes.run((onCommit) => {
    db.prepare("INSERT INTO t VALUES ('half', 1)").run();
    onCommit(() => log.effects.push("half"));
    throw new Error("changed its mind");
  });
  const outcomes = await Promise.allSettled([
    insert("a", 1),
    halfDone,
    insert("dup", 1),
    insert("dup", 2), // the primary key refuses it
    insert("z", 9),
  ]);
  assert.deepEqual(outcomes.map((outcome) => outcome.status), [
    "fulfilled",
    "rejected",
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /changed its mind/);
  assert.ok((outcomes[3] as PromiseRejectedResult).reason instanceof StoreWriteError);
  // Neither the half-done insert nor its effect survive; the rest are there once.
  assert.deepEqual(rows(), ["a", "dup", "z"]);
  assert.deepEqual(log.effects, ["a", "dup", "z"]);
  assert.equal(log.commits, 1);
  assert.equal(log.rollbacks, 1, "the optimistic pass was undone once");
});

Deno.test("GroupCommit: a lone failing write keeps nothing", async () => {
  const { log, insert, rows } = setUp();
  await insert("a", 1);
  await assert.rejects(insert("b", null), StoreWriteError);
  assert.deepEqual(rows(), ["a"]);
  assert.deepEqual(log.effects, ["a"]);
  assert.equal(log.rollbacks, 1);
});
