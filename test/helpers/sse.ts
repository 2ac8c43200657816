// Reads raw SSE text the way a client would, for tests that must see every field: ids, retry hints and
// comment heartbeats, which EventSource hides.

export interface SseBlock {
  event?: string;
  id?: string;
  data?: string;
  retry?: number;
  /** Comment lines (without the leading colon and space). */
  comments: string[];
}

/** Splits complete blocks off `text`; returns them and the incomplete remainder. */
export function parseSse(text: string): { blocks: SseBlock[]; rest: string } {
  const blocks: SseBlock[] = [];
  const parts = text.split('\n\n');
  const rest = parts.pop() ?? '';
  for (const part of parts) {
    const block: SseBlock = { comments: [] };
    for (const line of part.split('\n')) {
      if (line.startsWith(':')) {
        block.comments.push(line.slice(1).trimStart());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') block.event = value;
      else if (field === 'id') block.id = value;
      else if (field === 'data') block.data = block.data === undefined ? value : `${block.data}\n${value}`;
      else if (field === 'retry') block.retry = Number(value);
    }
    blocks.push(block);
  }
  return { blocks, rest };
}

/** Only the dispatched events of `blocks` (no retry-only or comment-only blocks), with data parsed. */
export function eventsOf(blocks: readonly SseBlock[]): Array<{ type: string; id?: string; data: any }> {
  return blocks
    .filter((b) => b.data !== undefined)
    .map((b) => ({ type: b.event ?? 'message', ...(b.id !== undefined ? { id: b.id } : {}), data: JSON.parse(b.data!) }));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface RawStream {
  response: Response;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the received text satisfies `check` (rejects if the stream ends first or after `timeoutMs`). */
  waitFor(check: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** True once the server ended the stream. */
  ended(): boolean;
  close(): void;
}

/** A stream read as raw text, for tests that must see ids, comments and retry hints. */
export async function openRawStream(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  let text = '';
  let ended = response.body === null;
  if (response.body) {
    const reader = response.body.getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString();
        }
      } catch {
        // aborted by close()
      }
      ended = true;
    })();
  }
  return {
    response,
    text: () => text,
    waitFor: async (check, what, timeoutMs = 10_000) => {
      await until(() => check(text) || ended, what, timeoutMs);
      if (!check(text)) throw new Error(`the stream ended before ${what}:\n${text}`);
      return text;
    },
    ended: () => ended,
    close: () => controller.abort(),
  };
}
