import { adminFetch } from '@tuneforge/testing';
export interface SseMessage {
  event: string;
  data: any;
  retry?: number;
}

/** Reads a Server-Sent Events stream with fetch; `next(predicate)` waits for a matching message. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  private readonly controller = new AbortController();
  private waiters: { predicate: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
  status = 0;
  contentType = '';
  ended = false;

  static async open(url: string): Promise<SseReader> {
    const reader = new SseReader();
    const response = await adminFetch(url, { signal: reader.controller.signal, headers: { accept: 'text/event-stream' } });
    reader.status = response.status;
    reader.contentType = response.headers.get('content-type') ?? '';
    if (response.ok && response.body) void reader.pump(response.body);
    return reader;
  }

  /** Resolves with the first message, already received or still to come, that matches. */
  next(predicate: (m: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage> {
    const seen = this.messages.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.event))}`)), timeoutMs);
      this.waiters.push({ predicate, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  close(): void {
    this.controller.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.receive(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
  }

  private receive(block: string): void {
    const message: SseMessage = { event: 'message', data: undefined };
    for (const line of block.split('\n')) {
      const [field, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'event') message.event = value;
      else if (field === 'data') message.data = JSON.parse(value);
      else if (field === 'retry') message.retry = Number(value);
    }
    this.messages.push(message);
    for (const waiter of this.waiters.filter((w) => w.predicate(message))) waiter.resolve(message);
    this.waiters = this.waiters.filter((w) => !w.predicate(message));
  }
}
