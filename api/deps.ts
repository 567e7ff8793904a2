/**
 * What the HTTP layer needs from the rest of the service, injected by `createApp`.
 * @module
 */

import type { PoolStats } from "../queue/pool/pool.ts";
import type { Queue } from "../queue/queue.ts";
import type { BodyReader } from "./limits/body_reader.ts";
import type { OpenRequestLimits } from "./limits/open_requests.ts";
import type { LiveFeed } from "./live_feed.ts";
import type { ProducerSockets } from "./producer_socket.ts";

export interface AppDeps {
  queue: Queue;
  pool: { stats(): PoolStats; pause(): void; resume(): void };
  /** The Server-Sent Events feed behind `GET /api/events`. */
  feed: LiveFeed;
  /** The producer WebSockets behind `GET /api/producer`. */
  producers: ProducerSockets;
  /** Reads request bodies within the size limit and the read deadline. */
  bodies: BodyReader;
  /** The caps on requests in progress, and who the client is. */
  limits: OpenRequestLimits;
  /** True once shutdown has begun: new requests get 503. */
  draining(): boolean;
}
