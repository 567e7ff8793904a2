/**
 * `dist/worker.js`: the worker runtime in the bundle, beside the server's, where the pool
 * looks; each worker's `data:` entry imports its `serve`.
 * @module
 */

export { serve } from "../../queue/pool/worker.ts";
