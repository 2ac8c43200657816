// EventSource drops SSE comments, yet the server's heartbeat is one (`: hb <version> <checksum>`), and its
// arrival is what proves a quiet connection alive. So the stream's body passes through this tap on its way
// to `eventsource`: the bytes are untouched; comment lines and the fact that something arrived are reported.

const MAX_COMMENT = 1_024;
const LINE_END = /[\r\n]/g;

export interface TapListener {
  /** Anything arrived. */
  activity(): void;
  /** One comment line, without its leading colon. */
  comment(text: string): void;
}

export function commentTap(listener: TapListener): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let atLineStart = true;
  let inComment = false;
  let comment = '';

  // CR, LF and CRLF all end a line; the empty line CRLF may leave between chunks is harmless here.
  const scan = (text: string) => {
    let i = 0;
    while (i < text.length) {
      if (atLineStart) {
        inComment = text.charCodeAt(i) === 58; // ':'
        atLineStart = false;
        if (inComment) i++;
      }
      LINE_END.lastIndex = i;
      const end = LINE_END.exec(text);
      const stop = end === null ? text.length : end.index;
      if (inComment && comment.length < MAX_COMMENT) comment += text.slice(i, Math.min(stop, i + MAX_COMMENT - comment.length));
      if (end === null) return;
      if (inComment) listener.comment(comment);
      comment = '';
      inComment = false;
      atLineStart = true;
      i = stop + 1;
    }
  };

  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      listener.activity();
      scan(decoder.decode(chunk, { stream: true }));
    },
  });
}
