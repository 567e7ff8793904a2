/**
 * What the HTTP layer needs from the rest of the service, injected by `createApp`.
 * @module
 */

import type { PoolStats } from "../queue/pool/pool.ts";
import type { Logger } from "../queue/primitives/logger.ts";
import type { Queue } from "../queue/queue.ts";
import type { Authenticator } from "./auth/authenticator.ts";
import type { KeyedConnections } from "./auth/keyed_connections.ts";
import type { EdgePolicy } from "./guards/edge.ts";
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
  /** The server's own names and the CORS allow-list, for the guards in front of every route. */
  edge: EdgePolicy;
  /** Who is calling: keys checked (a master key is set), or authentication off. */
  auth: Authenticator;
  /** Producer sockets and event streams by key, ended when their key is revoked. */
  connections: KeyedConnections;
  /** Session cookies say `Secure` even on plain HTTP requests (the public URL is HTTPS). */
  secureCookies: boolean;
  /** Reads request bodies within the size limit and the read deadline. */
  bodies: BodyReader;
  /** The caps on requests in progress, and who the client is. */
  limits: OpenRequestLimits;
  /** True once shutdown has begun: new requests get 503. */
  draining(): boolean;
  /** Where the API logs (errors of the server's own, and at `debug` every request). */
  logger: Logger;
}
