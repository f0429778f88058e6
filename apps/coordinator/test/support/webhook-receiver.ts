import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
}

/** A webhook receiver on 127.0.0.1: records every post and answers each with `answer` (200 unless told otherwise). */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  /** The status for a post (by default 200); `'hang'` never answers it. */
  answer: (post: ReceivedPost, earlier: ReceivedPost[]) => number | 'hang' = () => 200;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const post = { path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        const earlier = [...receiver.posts];
        receiver.posts.push(post);
        const status = receiver.answer(post, earlier);
        if (status === 'hang') return;
        response.statusCode = status;
        response.end('ok');
      });
    });
    return receiver;
  }

  /** The posts to one path (one webhook each). */
  to(path: string): ReceivedPost[] {
    return this.posts.filter((post) => post.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
