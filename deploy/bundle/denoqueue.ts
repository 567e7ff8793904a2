/**
 * `dist/denoqueue.js`: the server's entry in the bundle (`deno task bundle`), named for what it
 * runs; `main.ts` is the program.
 * @module
 */

import "../../main.ts";
