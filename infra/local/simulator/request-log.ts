/**
 * Every request the simulator answered (or deliberately did not), for contract assertions such as
 * "PATCH requests = ceil(actions / 100)" or "no update was sent in a dry run".
 */

interface RequestLogEntry {
  method: string;
  /** Normalised route, e.g. `PATCH /v2/lm/executions` or `GET /v2/lm/deployments/{id}`. */
  route: string;
  /** Raw path with the query, e.g. `/v2/lm/executions?$top=1000&$skip=0`. */
  url: string;
  /** AI-Resource-Group header, or null when absent. */
  group: string | null;
  /** HTTP status sent; 0 when a fault hung or dropped the connection. */
  status: number;
  requestId: string;
  /** Parsed JSON body (raw text if not JSON); absent for empty bodies. */
  body?: unknown;
  /** The injected fault that decided the answer, if any. */
  fault?: string;
}

class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  /** Requests on one route, e.g. `count('PATCH /v2/lm/executions')`. */
  count(route: string): number {
    return this.entries.filter((e) => e.route === route).length;
  }

  /** Route → number of requests. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) out[e.route] = (out[e.route] ?? 0) + 1;
    return out;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

export { RequestLog };
export type { RequestLogEntry };
