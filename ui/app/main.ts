/**
 * The dashboard's entry: mounts the app.
 * @module
 */

/// <reference lib="dom" />

import { h, render } from "preact";
import { App } from "./app.ts";

render(h(App, {}), document.getElementById("app")!);
