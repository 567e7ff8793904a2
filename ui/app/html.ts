/**
 * `html`: htm bound to Preact's `h`, so components are written as tagged templates.
 * @module
 */

/// <reference lib="dom" />

import htmModule from "htm";
import { h, type VNode } from "preact";

type Template = (strings: TemplateStringsArray, ...values: unknown[]) => VNode;
type Htm = { bind(factory: typeof h): Template };

// htm ships CommonJS-style typings for an ES module: take the default export either way.
const htm = ((htmModule as unknown as { default?: Htm }).default ??
  htmModule) as unknown as Htm;

/** Tagged template that builds Preact elements. */
export const html: Template = htm.bind(h);
