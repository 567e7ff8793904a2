/**
 * `dist/checkpointer.js`: the WAL checkpointer's worker entry in the bundle, beside the server's,
 * where the SQLite store looks.
 * @module
 */

import "../../queue/store/sqlite/checkpointer.ts";
