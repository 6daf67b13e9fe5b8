/**
 * A loopback W&B server that `@wandb/sdk` 0.5.1 accepts (reference/wandb.md §10), for tests: Viewer and
 * UpsertBucket on `POST /graphql`, `POST /files/:entity/:project/:run/file_stream`, 404 for anything else.
 * It records every request and keeps each run's config, history (by offset), summary and state.
 *
 * @example
 * const server = await startWandbTestServer({ apiKey: 'k'.repeat(40) });
 * process.env.WANDB_BASE_URL = server.url;
 * // ... run the SDK ...
 * expect(server.onlyRun().history).toHaveLength(3);
 * await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: any;
}

/** A run as the server stores it. */
export interface ServerRun {
  id: string;
  project: string;
  entity: string;
  displayName: string;
  /** Parsed from the `config` JSON string of UpsertBucket. */
  config: unknown;
  history: Array<Record<string, unknown>>;
  summary: Record<string, unknown>;
  state: 'running' | 'finished' | 'failed';
  exitcode?: number;
}

/** Options of `startWandbTestServer`. */
export interface WandbTestServerOptions {
  /** When set, requests must carry `Basic base64("api:" + apiKey)`, else 401. */
  apiKey?: string;
  /** The viewer's default entity. */
  entity?: string;
  /** Answer this status (with an empty body) to requests whose path matches `failPaths` (default: all). */
  failWith?: number;
  failPaths?: RegExp;
  /** Answer UpsertBucket with GraphQL `errors` and no `data` (the SDK's crash mode, §9.8). */
  upsertErrors?: boolean;
  /** Accept requests but never answer them. */
  silent?: boolean;
}

/** A running test server. */
export interface WandbTestServer {
  url: string;
  requests: RecordedRequest[];
  runs: Map<string, ServerRun>;
  /** The single run; throws when there is not exactly one. */
  onlyRun(): ServerRun;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with a random port. */
export async function startWandbTestServer(options: WandbTestServerOptions = {}): Promise<WandbTestServer> {
  const requests: RecordedRequest[] = [];
  const runs = new Map<string, ServerRun>();
  const entity = options.entity ?? 'tester';

  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const body = text ? JSON.parse(text) : undefined;
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
      if (options.silent) return;
      if (options.failWith && (options.failPaths ?? /./).test(path)) return reply(res, options.failWith, '');
      if (options.apiKey && req.headers.authorization !== `Basic ${Buffer.from(`api:${options.apiKey}`).toString('base64')}`) {
        return reply(res, 401, { errors: [{ message: 'invalid api key' }] });
      }
      if (req.method === 'POST' && path === '/graphql') {
        if (options.upsertErrors && body?.operationName === 'UpsertBucket') return reply(res, 200, { errors: [{ message: 'permission denied' }] });
        return reply(res, 200, graphql(body, entity, runs));
      }
      const stream = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(path);
      if (req.method === 'POST' && stream) return reply(res, 200, fileStream(body, runs.get(stream[3]!)));
      reply(res, 404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    runs,
    onlyRun() {
      if (runs.size !== 1) throw new Error(`expected one run on the test server, found ${runs.size}`);
      return [...runs.values()][0]!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A `http://127.0.0.1:<port>` where nothing listens (connection refused). */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function graphql(body: any, entity: string, runs: Map<string, ServerRun>): unknown {
  const operation: string = body?.operationName ?? (/\b(Viewer|UpsertBucket)\b/.exec(body?.query ?? '')?.[1] ?? '');
  if (operation === 'Viewer') return { data: { viewer: { id: 'viewer-1', entity, flags: '{}', teams: { edges: [] } } } };
  if (operation === 'UpsertBucket') {
    const v = body.variables;
    const run: ServerRun = runs.get(v.name) ?? { id: v.name, project: v.project, entity: v.entity, displayName: v.displayName ?? `run-${v.name}`, config: undefined, history: [], summary: {}, state: 'running' };
    run.config = v.config === undefined ? undefined : JSON.parse(v.config);
    run.state = 'running';
    runs.set(run.id, run);
    const bucket = { id: `bucket-${run.id}`, name: run.id, displayName: run.displayName, description: null, config: v.config, sweepName: v.sweep ?? null, project: { id: `project-${run.project}`, name: run.project, entity: { id: `entity-${run.entity}`, name: run.entity } } };
    return { data: { upsertBucket: { inserted: true, bucket } } };
  }
  return { data: null, errors: [{ message: `unknown operation ${operation}` }] };
}

function fileStream(body: any, run: ServerRun | undefined): unknown {
  if (!run) return { exitcode: null, limits: {} };
  const history = body?.files?.['wandb-history.jsonl'];
  history?.content.forEach((line: string, i: number) => (run.history[history.offset + i] = JSON.parse(line)));
  const summary = body?.files?.['wandb-summary.json'];
  if (summary) run.summary = JSON.parse(summary.content[0]);
  if (body?.complete) {
    run.state = body.exitcode === 0 ? 'finished' : 'failed';
    run.exitcode = body.exitcode;
  }
  return { exitcode: null, limits: {} };
}

function reply(res: ServerResponse<IncomingMessage>, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
