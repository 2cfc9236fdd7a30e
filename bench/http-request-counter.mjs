// Preload (`node --import ./bench/http-request-counter.mjs …`): counts, on the server side, every
// HTTP request any node:http server in this process receives, and writes the counts as JSON to
// BENCH_HTTP_COUNTS_FILE when the process exits. The key is `METHOD /path` (AI Core ids replaced by
// {id}), or `METHOD /path ACTION` for AWS JSON calls (X-Amz-Target, e.g. DynamoDB_20120810.PutItem).
// Used for the simulator process (its CLI has no request-count output); the janitor's own store
// requests come from its report (`storeRequests`), since its local state is an in-process LevelDB
// with no HTTP. Requests carrying `x-bench-verify` (the bench's own after-run listing) are not counted.
import { writeFileSync } from 'node:fs';
import { Server } from 'node:http';

const file = process.env.BENCH_HTTP_COUNTS_FILE;
delete process.env.BENCH_HTTP_COUNTS_FILE;
if (file) {
  /** route → status → count; status 0 = the connection closed without an answer. */
  const routes = {};
  let total = 0;
  const routeOf = (req) => {
    const path = (req.url ?? '/').split('?')[0].replace(/(.)\/+$/, '$1');
    const target = req.headers['x-amz-target'];
    const route = `${req.method} ${path.replace(/^(\/v2\/lm\/(?:executions|deployments))\/(?!\$count$)[^/]+$/, '$1/{id}')}`;
    return typeof target === 'string' ? `${route} ${target}` : route;
  };
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (event, ...args) {
    const [req, res] = args;
    if (event === 'request' && req.headers['x-bench-verify'] === undefined) {
      total += 1;
      const route = routeOf(req);
      let done = false;
      const record = (status) => {
        if (done) return;
        done = true;
        routes[route] ??= {};
        const byStatus = routes[route];
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      };
      res.once('finish', () => record(res.statusCode));
      res.once('close', () => record(res.writableFinished ? res.statusCode : 0));
    }
    return emit.call(this, event, ...args);
  };
  process.on('exit', () => writeFileSync(file, JSON.stringify({ total, routes })));
}
