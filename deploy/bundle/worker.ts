/**
 * `dist/worker.js`: the worker entry in the bundle, beside the server's, where the pool looks.
 * @module
 */

import "../../queue/pool/worker.ts";
