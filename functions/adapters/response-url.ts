/**
 * Posts a message to Slack's `response_url` (or the generic webhook's callback URL): one plain
 * JSON POST with a timeout. A failure is logged and reported as `false`, never thrown: throwing
 * would make Lambda retry the worker, and a retry must not run the janitor again for a message.
 */
import type { SlackMessage } from '../../lib/chatops/blocks.js';
import { log } from './log.js';

type PostMessage = (url: string, message: SlackMessage) => Promise<boolean>;

interface PostOptions {
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
}

/**
 * @example
 * const post = responsePoster();
 * await post(job.responseUrl, runDigest(report, options));
 */
function responsePoster(options: Partial<PostOptions> = {}): PostMessage {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async function postMessage(url: string, message: SlackMessage): Promise<boolean> {
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection is released; Slack answers `ok` or an error word.
      const answer = (await response.text()).slice(0, 200);
      if (!response.ok) log('warn', 'response_url refused the message', { status: response.status, answer });
      return response.ok;
    } catch (error) {
      log('warn', 'could not post to response_url', { error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  };
}

export { responsePoster };
export type { PostMessage, PostOptions };
