/**
 * The chat worker's wiring: the chat use case (lib/chatops/execute-job.ts) with its ports filled from
 * the function's environment — the tenant's store, the policy's approval rules, the run (the same
 * engine as the schedule's: chat-engine.ts), and the reply: Block Kit to the job's response_url (Slack, JSON
 * webhook), an Adaptive Card to the stage's Workflows webhook (Teams).
 */
import { toTeamsMessage } from '../../lib/chatops/adaptive-card.js';
import { executeChatJob as executeChatUseCase, type ChatOutcome } from '../../lib/chatops/execute-job.js';
import type { ChatJob } from '../../lib/chatops/job.js';
import type { ChatMessage } from '../../lib/chatops/model.js';
import type { ChatRunner, ChatStore } from '../../lib/chatops/ports.js';
import { replyPolicyOf } from '../../lib/chatops/reply-url.js';
import { toBlockKit } from '../../lib/chatops/slack-render.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import type { LoadedPolicy } from '../../lib/run/policy-file.js';
import type { Tenant, TenantsFile } from '../../lib/tenants/schema.js';
import { SFNClient } from '@aws-sdk/client-sfn';
import { errorMessage } from '../../lib/util/errors.js';
import type { JanitorEnv } from './config.js';
import { log } from './log.js';
import { responsePoster, type PostMessage } from './response-url.js';
import { policyFromEnv, runFromEnv, storeFromEnv, tenantPolicyFromEnv } from './run-from-env.js';
import { tenantsFileLoader } from './tenants-file.js';
import { teamsWorkflowUrl } from './teams-config.js';
import { ChatEngineError, chatTenant, stateMachineRunner } from './chat-engine.js';
import type { SfnClient } from './state-machine.js';

interface ChatDeps {
  store: ChatStore;
  policy: () => Promise<LoadedPolicy>;
  run: ChatRunner;
  post: PostMessage;
  /** Teams: the Workflows webhook URL (a secret) its answers go to; undefined when not configured. */
  teamsWorkflowUrl: () => Promise<string | undefined>;
  clock: () => Date;
  /** Time left in this invocation: a chat trigger still `running` after it has died. */
  remainingMs: () => number;
  /** JANITOR_DISABLED: plans and applies are refused; status, snooze and help still answer. */
  disabled: boolean;
}

/**
 * Renders the answer for the job's platform and posts it: Teams to the stage's Workflows webhook,
 * everything else to the job's response_url (none: nothing is posted).
 */
async function deliver(job: ChatJob, message: ChatMessage, deps: ChatDeps): Promise<boolean> {
  if (job.source !== 'teams') return job.responseUrl === undefined ? false : deps.post(job.responseUrl, toBlockKit(message), job.source);
  let url: string | undefined;
  try {
    url = await deps.teamsWorkflowUrl();
  } catch (error) {
    log('error', 'could not read the Teams Workflows webhook URL; the answer was not posted', {
      triggerId: job.triggerId,
      error: errorMessage(error),
    });
    return false;
  }
  if (url === undefined) {
    log('error', 'TEAMS_WORKFLOW_URL(_ID) is not configured: a Teams answer cannot be posted', { triggerId: job.triggerId });
    return false;
  }
  return deps.post(url, toTeamsMessage(message, job.mentionName === undefined ? {} : { mentionName: job.mentionName }), 'teams');
}

/**
 * @example
 * const outcome = await executeChatJob(job, chatDepsFromEnv(readEnv(), serviceKeyOf(context), remaining));
 */
function executeChatJob(job: ChatJob, deps: ChatDeps): Promise<ChatOutcome> {
  return executeChatUseCase(job, {
    store: deps.store,
    approval: async () => (await deps.policy()).policy.approval,
    run: deps.run,
    reply: (to, message) => deliver(to, message, deps),
    clock: deps.clock,
    remainingMs: deps.remainingMs,
    disabled: deps.disabled,
    log,
  });
}

/** Per container: the Workflows URL secret is read once per cache expiry, the rest once. */
let cachedTeamsWorkflowUrl: (() => Promise<string | undefined>) | undefined;
let cachedTenants: (() => Promise<TenantsFile>) | undefined;
let cachedSfn: SfnClient | undefined;

interface EngineWiring {
  /** Default: one Step Functions client per container. */
  sfn?: SfnClient;
}

function sfnClient(): SfnClient {
  cachedSfn ??= new SFNClient({});
  return cachedSfn;
}

/** engine=step-functions: the worker's tenant from the tenants file (a failed read is tried again). */
function tenantOf(env: JanitorEnv): Promise<Tenant> {
  cachedTenants ??= tenantsFileLoader(() => env.JANITOR_TENANTS_FILE);
  return cachedTenants().then((file) => chatTenant(file, env.AICORE_SECRET_ID));
}

/**
 * The worker's dependencies from its environment: the same store, policy and engine as the
 * schedule's. engine=lambda runs in this worker; engine=step-functions through the state machine,
 * with the tenant's own policy (the tenants file's `policy`, else the stage's).
 */
function chatDepsFromEnv(env: JanitorEnv, serviceKey: ServiceKey, remainingMs: () => number, wiring: EngineWiring = {}): ChatDeps {
  cachedTeamsWorkflowUrl ??= teamsWorkflowUrl();
  const store = storeFromEnv(env, serviceKey);
  const clock = () => new Date();
  const common = {
    store,
    // The allowlists come from the configuration already parsed for this cold start.
    post: responsePoster({ policy: replyPolicyOf(env) }),
    teamsWorkflowUrl: cachedTeamsWorkflowUrl,
    clock,
    remainingMs,
    disabled: env.JANITOR_DISABLED,
  };
  if (env.JANITOR_ENGINE === 'lambda')
    return {
      ...common,
      policy: () => policyFromEnv(env),
      run: async (options) => (await runFromEnv({ env, serviceKey, remainingMs, ...options })).result,
    };
  const stateMachineArn = env.JANITOR_STATE_MACHINE_ARN;
  return {
    ...common,
    policy: async () => tenantPolicyFromEnv(await tenantOf(env), env),
    run: async (request) => {
      if (stateMachineArn === undefined) throw new ChatEngineError('engine=step-functions needs JANITOR_STATE_MACHINE_ARN');
      const sfn = wiring.sfn ?? sfnClient();
      return stateMachineRunner({ sfn, stateMachineArn, tenant: await tenantOf(env), store, clock, remainingMs })(request);
    },
  };
}

export { executeChatJob, chatDepsFromEnv };
export type { ChatDeps, ChatOutcome };
