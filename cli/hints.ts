/**
 * One line of advice for the runtime failures a new user meets first (README › Troubleshooting),
 * matched on the message, so the transport's own errors need no change.
 */

const HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /\bbad port\b/i,
    'hint: the URL in the service key uses a port that HTTP clients refuse to connect to (fetch blocks ports such as 9, 25 and 6000); check `url` and `serviceurls.AI_API_URL` in the key',
  ],
  [
    /ECONNREFUSED|connection refused/i,
    'hint: nothing answers at that address; check the URL in the service key (is the simulator still running?)',
  ],
  [
    /ENOTFOUND|EAI_AGAIN|getaddrinfo/i,
    'hint: the host name does not resolve; check the region in the service key URLs, or set HTTPS_PROXY if you are behind a proxy',
  ],
  [
    /ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|timed out|timeout/i,
    'hint: no answer in time; behind a corporate proxy set HTTPS_PROXY (and NO_PROXY for local addresses)',
  ],
  [
    /\b401\b|invalid_client|unauthori[sz]ed/i,
    'hint: the credentials were refused; create a fresh service key (BTP cockpit → instance → Service Keys) and use its JSON as is',
  ],
  [
    /\b403\b|forbidden/i,
    'hint: the key is valid but not allowed to do this; check the AI Core plan and roles of the instance the key belongs to',
  ],
  [/\b429\b|rate.?limit|too many requests/i, 'hint: AI Core is rate limiting this tenant; run again later, or narrow the run with --group'],
  [
    /holds the run lock/i,
    'hint: another run is acting on this tenant; wait for its lease to end, or run `aicore-janitor unlock` if it has died',
  ],
];

/** The hint for a failure message, or null. */
function hintFor(message: string): string | null {
  return HINTS.find(([pattern]) => pattern.test(message))?.[1] ?? null;
}

export { hintFor };
