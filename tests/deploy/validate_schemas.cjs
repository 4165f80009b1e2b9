// deploy_k8s_schemas: every object that an overlay of deploy/k8s renders is valid against
// the Kubernetes API schema of its apiVersion and kind.
//
//   node validate_schemas.cjs MODULES_DIR [OVERLAY...]
//
// MODULES_DIR is the node_modules folder where tests/deploy/package.json was installed
// (schema_test.sh installs it under the build directory). The schemas are those bundled in
// the kubernetes-models package (generated from the Kubernetes OpenAPI specification) and,
// for the prometheus-operator's custom resources, in @kubernetes-models/prometheus-operator, so
// nothing is fetched while validating and no cluster is needed.
//
// Two checks per object:
//   - the schema: types, required fields, enums and formats, as the API server would;
//   - no unknown field: the API schemas allow extra fields, which the API server drops or
//     refuses, so a misspelt key (readinesProbe, limit) would otherwise pass unnoticed. A
//     field counts as known when the schema's validator reads it.
// Without OVERLAY arguments every folder of deploy/k8s/overlays is checked.
'use strict';

const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const ROOT = path.resolve(__dirname, '..', '..');
const OVERLAYS_DIR = path.join(ROOT, 'deploy', 'k8s', 'overlays');

function main(argv) {
  const modulesDir = argv[0];
  if (!modulesDir || !fs.existsSync(path.join(modulesDir, 'kubernetes-models'))) {
    console.log(`FAIL - no kubernetes-models under ${modulesDir}: run tests/deploy/schema_test.sh`);
    return 1;
  }
  const load = createRequire(path.join(path.resolve(modulesDir), '..', 'package.json'));
  const YAML = load('yaml');

  let overlays = argv.slice(1);
  if (overlays.length === 0) {
    overlays = fs.readdirSync(OVERLAYS_DIR)
      .filter((name) => fs.existsSync(path.join(OVERLAYS_DIR, name, 'kustomization.yaml')))
      .sort();
  }

  let passed = 0;
  let failed = 0;
  for (const overlay of overlays) {
    const dir = path.join(OVERLAYS_DIR, overlay);
    let text;
    try {
      text = childProcess.execFileSync('kubectl', ['kustomize', dir], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      const why = e.code === 'ENOENT' ? 'kubectl not found on PATH' : String(e.stderr || e.message).trim();
      console.log(`FAIL - [${overlay}] does not render: ${why}`);
      failed += 1;
      continue;
    }
    const documents = YAML.parseAllDocuments(text);
    let objects = 0;
    for (const document of documents) {
      if (document.errors.length > 0) {
        console.log(`FAIL - [${overlay}] rendered YAML does not parse: ${document.errors[0].message}`);
        failed += 1;
        continue;
      }
      const object = document.toJS();
      if (object === null || object === undefined) continue;
      objects += 1;
      const problems = validate(load, object);
      const name = `${object.kind} ${object.metadata && object.metadata.name}`;
      if (problems.length === 0) {
        passed += 1;
      } else {
        failed += 1;
        for (const problem of problems) console.log(`FAIL - [${overlay}] ${name}: ${problem}`);
      }
    }
    console.log(`# [${overlay}] ${objects} objects checked against the Kubernetes schemas`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

// The package whose models hold the schemas of API group versions like APIVERSION: the
// built-in API types, or the CRDs the manifests use (the prometheus-operator's PodMonitor and
// PrometheusRule, generated from the operator's own CRD definitions).
const CRD_MODEL_PACKAGES = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

function modelPackageOf(apiVersion) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return CRD_MODEL_PACKAGES[group] || 'kubernetes-models';
}

// The problems of one object, as readable lines; none when it is valid.
function validate(load, object) {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return ['has no apiVersion or kind'];
  }
  let Model;
  try {
    Model = load(`${modelPackageOf(apiVersion)}/${apiVersion}/${kind}`)[kind];
  } catch (e) {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    return [`no Kubernetes schema for ${apiVersion} ${kind}: not a built-in API type, not a CRD ` +
      'this validator knows (or a retired version)'];
  }
  const tracker = trackReads(asDecodedByApiServer(object));
  const problems = [];
  try {
    // The model's validate() runs the compiled schema on `this`.
    Model.prototype.validate.call(tracker.proxy);
  } catch (e) {
    const errors = e.errors || e.details;
    if (Array.isArray(errors) && errors.length > 0) {
      for (const error of errors) {
        problems.push(`${error.instancePath || '/'} ${error.message}${describeParams(error.params)}`);
      }
    } else {
      problems.push(String(e.message || e));
    }
  }
  for (const field of tracker.unread()) {
    problems.push(`${field}: unknown field (not in the ${apiVersion} ${kind} schema)`);
  }
  return problems;
}

// kustomize writes long base64 values (Secret data, ConfigMap binaryData) folded over
// lines; the API server's base64 decoding skips line breaks, the schema's "byte" format
// does not. Validate them as the API server reads them.
function asDecodedByApiServer(object) {
  const field = object.kind === 'Secret' ? 'data' : object.kind === 'ConfigMap' ? 'binaryData' : null;
  if (!field || !object[field] || typeof object[field] !== 'object') return object;
  const unfolded = {};
  for (const [key, value] of Object.entries(object[field])) {
    unfolded[key] = typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value;
  }
  return { ...object, [field]: unfolded };
}

function describeParams(params) {
  if (!params) return '';
  if (params.allowedValues) return ` (${params.allowedValues.join(', ')})`;
  return '';
}

// Wraps `root` so that every property the validator reads is recorded; unread() lists the
// fields of plain objects that it never read. Maps (labels, data, resources) are read
// whole, since their schema validates every key.
function trackReads(root) {
  const reads = new Map();
  const paths = new Map();
  const proxies = new WeakMap();
  function wrap(value, where) {
    if (value === null || typeof value !== 'object') return value;
    if (proxies.has(value)) return proxies.get(value);
    reads.set(value, new Set());
    paths.set(value, where);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') reads.get(target).add(key);
        return wrap(Reflect.get(target, key, receiver), `${where}/${String(key)}`);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  }
  return {
    proxy: wrap(root, ''),
    unread() {
      const out = [];
      for (const [object, keys] of reads) {
        if (Array.isArray(object)) continue;
        for (const key of Object.keys(object)) {
          if (!keys.has(key)) out.push(`${paths.get(object)}/${key}`);
        }
      }
      return out;
    },
  };
}

process.exitCode = main(process.argv.slice(2));
