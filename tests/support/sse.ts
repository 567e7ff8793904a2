/**
 * Reads Server-Sent Events from a response body, for live feed tests.
 * @module
 */

/** One parsed message. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Parses messages out of a stream as they arrive; comments are returned as event `comment`. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  let buffer = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: "message", data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) message.event = "comment";
        else if (line.startsWith("event: ")) message.event = line.slice(7);
        else if (line.startsWith("data: ")) message.data += line.slice(6);
        else if (line.startsWith("id: ")) message.id = line.slice(4);
        else if (line.startsWith("retry: ")) message.event = "retry";
      }
      yield message;
    }
  }
}
