/**
 * The tenant a service key belongs to, as a store namespace: the AI API host plus the identity
 * zone. Every stored key of a run carries it, so one table can serve many tenants without a
 * migration, and two keys of one tenant (rotated secrets) share their ledger.
 */
import type { ServiceKey } from './wire.js';

function identityZone(key: ServiceKey): string {
  if (typeof key.identityzone === 'string' && key.identityzone !== '') return key.identityzone;
  // The auth URL's first label is the subaccount's identity zone (`https://{zone}.authentication…`).
  const authUrl = key.url ?? key.certurl;
  return authUrl === undefined ? 'unknown-zone' : (new URL(authUrl).hostname.split('.')[0] ?? 'unknown-zone');
}

/** @example tenantNamespace(key) // 'T#acme-dev@api.ai.prod.eu-central-1.aws.ml.hana.ondemand.com' */
function tenantNamespace(key: ServiceKey): string {
  return `T#${identityZone(key)}@${new URL(key.serviceurls.AI_API_URL).host}`;
}

export { tenantNamespace };
