/**
 * The state machine's DefinitionString for CloudFormation, built from infra/janitor.asl.json at
 * package time (serverless.yml: `${file(infra/state-machine.cjs)}`). The ASL names each step by a
 * placeholder ARN (so tests and asl-validator read the very file that is deployed); here each
 * placeholder becomes the deployed function's ARN with Fn::Join and Fn::GetAtt. No `${…}` appears in
 * the output, so neither osls nor Fn::Sub ever reads the definition as a template.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const PLACEHOLDER = 'arn:aws:lambda:us-east-1:000000000000:function:aicore-janitor-step-';
/** Placeholder suffix → logical id of the function serverless.yml deploys for it. */
const STEPS = {
  'list-groups': 'ListGroupsLambdaFunction',
  'plan-group': 'PlanGroupLambdaFunction',
  verdict: 'VerdictLambdaFunction',
  'apply-group': 'ApplyGroupLambdaFunction',
  digest: 'DigestLambdaFunction',
  summary: 'SummaryLambdaFunction',
};

function definitionString(aslText) {
  // Minified JSON: the definition is stored as text, every byte counts against the 1 MB limit.
  const text = JSON.stringify(JSON.parse(aslText));
  const pattern = new RegExp(`"${PLACEHOLDER.replace(/[.:]/g, '\\$&')}([a-z-]+)"`, 'g');
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const logicalId = STEPS[match[1]];
    if (logicalId === undefined) throw new Error(`infra/janitor.asl.json names an unknown step ${match[1]}`);
    parts.push(`${text.slice(last, match.index)}"`, { 'Fn::GetAtt': [logicalId, 'Arn'] }, '"');
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  if (text.includes('${')) throw new Error('infra/janitor.asl.json must not contain ${');
  return { 'Fn::Join': ['', parts] };
}

module.exports = () => definitionString(readFileSync(join(__dirname, 'janitor.asl.json'), 'utf8'));
module.exports.definitionString = definitionString;
