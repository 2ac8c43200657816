// SSE framing (docs/protocol.md): the bytes each stream event becomes. Every frame is built once per
// change and audience and the same Buffer is written to every subscriber, so nothing here runs per client.
import { HEARTBEAT_PREFIX, type StreamEvent } from '@flagstaff/core';

/**
 * One SSE event block. JSON.stringify never emits a raw newline, so `data` is always a single line and
 * `type`/`id` are ours (never user input): no field can smuggle in another.
 */
export function eventText(event: StreamEvent, id: number | null): string {
  const idLine = id === null ? '' : `id: ${id}\n`;
  return `event: ${event.type}\n${idLine}data: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * The events one change produces for one audience, as one frame. Only the last event carries the `id:`:
 * a client that loses the connection part-way through keeps the previous id and gets the whole group again.
 */
export function changeFrame(events: readonly StreamEvent[], id: number): Buffer {
  let text = '';
  events.forEach((event, i) => {
    text += eventText(event, i === events.length - 1 ? id : null);
  });
  return Buffer.from(text);
}

/** `: hb <version> <checksum>`: a comment, ignored by EventSource, read by the SDKs to detect drift. */
export function heartbeatFrame(version: number, checksum: string): Buffer {
  return Buffer.from(`: ${HEARTBEAT_PREFIX} ${version} ${checksum}\n\n`);
}

/** A `retry:` hint alone: no data, so EventSource dispatches nothing but adopts the delay. */
export function retryFrame(retryMs: number): Buffer {
  return Buffer.from(`retry: ${Math.max(0, Math.round(retryMs))}\n\n`);
}

/** The reconnect delay for one client: `baseMs` spread uniformly over ±50% so reconnects do not arrive together. */
export function jitteredRetry(baseMs: number, random: () => number = Math.random): number {
  return Math.round(baseMs * (0.5 + random()));
}
