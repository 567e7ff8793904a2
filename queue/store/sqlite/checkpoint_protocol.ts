/**
 * Messages between the SQLite store and its checkpointer worker.
 * @module
 */

/** Store → checkpointer. */
export type CheckpointRequest =
  | { kind: "open"; path: string }
  | { kind: "checkpoint" }
  | { kind: "close" };

/** Checkpointer → store. */
export type CheckpointReply =
  | { kind: "done"; walPages: number; checkpointed: number }
  | { kind: "failed"; error: string }
  | { kind: "closed" };
