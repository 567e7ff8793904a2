/**
 * The WAL checkpointer's worker entry: a second connection to the database that copies the
 * write-ahead log back into the file (with its fsync) on request, off the event loop that
 * serves requests.
 * @module
 */

/// <reference lib="deno.worker" />

import { DatabaseSync } from "node:sqlite";
import type { CheckpointReply, CheckpointRequest } from "./checkpoint_protocol.ts";

let db: DatabaseSync | undefined;

function reply(message: CheckpointReply): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<CheckpointRequest>) => {
  const message = event.data;
  try {
    switch (message.kind) {
      case "open":
        db = new DatabaseSync(message.path);
        db.exec("PRAGMA busy_timeout = 5000");
        break;
      case "checkpoint": {
        // PASSIVE: copies what it can without waiting for, or blocking, the writer.
        const result = db!.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as {
          log: number;
          checkpointed: number;
        };
        reply({ kind: "done", walPages: result.log, checkpointed: result.checkpointed });
        break;
      }
      case "close":
        db?.close();
        db = undefined;
        reply({ kind: "closed" });
        break;
    }
  } catch (error) {
    reply({ kind: "failed", error: error instanceof Error ? error.message : String(error) });
  }
};
