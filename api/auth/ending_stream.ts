/**
 * A stream that can be ended from outside: an event stream opened with a key is ended when the
 * key is revoked or expires, after one last event saying why (`event: auth-ended`), so that the
 * client (EventSource reconnects, then gets 401) knows it must sign in again.
 * @module
 */

const encoder = new TextEncoder();

/**
 * `source` passed through until `register`'s `end` is called (then one `auth-ended` event, and
 * the stream closes, cancelling `source`) or the reader cancels. `register` returns the function
 * that forgets the stream, called once it ends either way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endingStream } from "./ending_stream.ts";
 * let end = (_reason: string) => {};
 * const source = new ReadableStream<Uint8Array>({ pull() {} });
 * const stream = endingStream(source, (ending) => { end = ending; return () => {}; });
 * end("The key was revoked");
 * const text = await new Response(stream).text();
 * assert.match(text, /^event: auth-ended\ndata: /);
 * ```
 */
export function endingStream(
  source: ReadableStream<Uint8Array>,
  register: (end: (reason: string) => void) => () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let ended = false;
  let forget = () => {};
  const finish = () => {
    ended = true;
    forget();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      forget = register((reason) => {
        if (ended) return;
        finish();
        const data = JSON.stringify({ reason });
        controller.enqueue(encoder.encode(`event: auth-ended\ndata: ${data}\n\n`));
        controller.close();
        reader.cancel(reason).catch(() => {});
      });
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (ended) return;
      if (done) {
        finish();
        controller.close();
      } else {
        controller.enqueue(value);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
}
