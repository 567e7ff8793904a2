/**
 * `dist/handler_api.js`: what handler modules import as `denoqueue` when the bundle runs
 * (`dist/import_map.json` maps the name to it). It shares its code, zod included, with the worker
 * and the server through the bundle's chunks, so a handler module adds no second copy.
 * @module
 */

export * from "../../queue/mod.ts";
