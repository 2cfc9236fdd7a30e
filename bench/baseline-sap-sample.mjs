// Baseline for bench/apply-10k.ts: the clean-up SAP's own sample code shows
// (SAP/ai-sdk-js sample-code/src/ai-api/deployment-api.ts, `deleteDeployments`), with
// @sap-ai-sdk/ai-api 2.16.0: for each resource group, query the deletable items per status, then one
// DELETE per item under an unbounded Promise.all. Plain JS, so it pays no compile cost.
//
// Destination: with no destination argument, @sap-ai-sdk/core (context.js, getAiCoreDestination)
// parses the AICORE_SERVICE_KEY environment variable (else a VCAP `aicore` binding), and the Cloud
// SDK turns it into a destination with a client-credentials token from `{url}/oauth/token` (cached
// per client id); requests go to serviceurls.AI_API_URL + `/v2`, with keep-alive off.
//
// Prints one JSON line: groups, listed items, delete attempts, 2xx answers, failures and the SDK
// calls it made (the simulator counts the HTTP requests on its side).
import { DeploymentApi, ExecutionApi, ResourceGroupApi } from '@sap-ai-sdk/ai-api';

const PAGE = 10_000;
const EXECUTION_STATUSES = ['COMPLETED', 'DEAD', 'STOPPED'];
const DEPLOYMENT_STATUSES = ['STOPPED', 'UNKNOWN'];

const stats = { groups: 0, listed: 0, deleteAttempts: 0, deleted2xx: 0, failed: 0, sdkCalls: 0, firstError: null };

async function call(builder) {
  stats.sdkCalls += 1;
  return builder.execute();
}

/** Every item of one status, paged with $top/$skip until `count` is reached. */
async function queryAll(api, query, status, group) {
  const items = [];
  for (;;) {
    const page = await call(api[query]({ status, $top: PAGE, $skip: items.length }, { 'AI-Resource-Group': group }));
    items.push(...page.resources);
    if (page.resources.length === 0 || items.length >= page.count) return items;
  }
}

async function deleteOne(api, method, id, group) {
  stats.deleteAttempts += 1;
  try {
    await call(api[method](id, { 'AI-Resource-Group': group }));
    stats.deleted2xx += 1; // the SDK throws on anything but 2xx
  } catch (error) {
    stats.failed += 1;
    stats.firstError ??= String(error?.cause?.response?.status ?? error?.message ?? error);
  }
}

const groups = await call(ResourceGroupApi.kubesubmitV4ResourcegroupsGetAll({}, {}));
for (const { resourceGroupId: group } of groups.resources) {
  stats.groups += 1;
  const [executions, deployments] = await Promise.all([
    Promise.all(EXECUTION_STATUSES.map((s) => queryAll(ExecutionApi, 'executionQuery', s, group))).then((lists) => lists.flat()),
    Promise.all(DEPLOYMENT_STATUSES.map((s) => queryAll(DeploymentApi, 'deploymentQuery', s, group))).then((lists) => lists.flat()),
  ]);
  stats.listed += executions.length + deployments.length;
  await Promise.all([
    ...executions.map((e) => deleteOne(ExecutionApi, 'executionDelete', e.id, group)),
    ...deployments.map((d) => deleteOne(DeploymentApi, 'deploymentDelete', d.id, group)),
  ]);
}

process.stdout.write(`${JSON.stringify(stats)}\n`);
process.exitCode = stats.failed === 0 ? 0 : 1;
