/**
 * What the `http` job type takes from the server's configuration, set by the worker entry from
 * its init message before any job runs (handlers get no configuration of their own).
 * @module
 */

import { DEFAULT_RESULT_LIMIT } from "../../pool/result_limit.ts";
import { HttpAllowList } from "./allow_list.ts";

/** The worker's settings for `http` jobs; the defaults hold until the worker sets them. */
export const httpSettings: {
  /** `--http-allow`: refused destinations that may be called all the same. */
  allow: HttpAllowList;
  /** `--result-limit`: the kept body is cut so that the result fits. */
  resultLimit: number;
} = {
  allow: HttpAllowList.NONE,
  resultLimit: DEFAULT_RESULT_LIMIT,
};
