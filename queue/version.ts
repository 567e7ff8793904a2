/**
 * The DenoQueue version, as `deno.json` gives it (a test keeps the two equal): what a node
 * reports when it registers, so a rolling deploy shows which nodes run what.
 * @module
 */

/** This DenoQueue's version. */
export const VERSION = "0.1.0";
