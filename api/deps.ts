/**
 * What the HTTP layer needs from the rest of the service, injected by `createApp`.
 * @module
 */

import type { PoolStats } from "../queue/pool/pool.ts";
import type { Logger } from "../queue/primitives/logger.ts";
import type { Queue } from "../queue/queue.ts";
import type { EdgePolicy } from "./guards/edge.ts";
import type { LiveFeed } from "./live_feed.ts";
import type { ProducerSockets } from "./producer_socket.ts";

export interface AppDeps {
  queue: Queue;
  pool: { stats(): PoolStats; pause(): void; resume(): void };
  /** The Server-Sent Events feed behind `GET /api/events`. */
  feed: LiveFeed;
  /** The producer WebSockets behind `GET /api/producer`. */
  producers: ProducerSockets;
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** The server's own names and the CORS allow-list, for the guards in front of every route. */
  edge: EdgePolicy;
  /** True once shutdown has begun: new requests get 503. */
  draining(): boolean;
  /** Where the API logs (errors of the server's own, and at `debug` every request). */
  logger: Logger;
}
