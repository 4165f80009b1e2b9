'use strict';
// The personnel service as a Node client sees it.
//
// Uses only @grpc/grpc-js and @grpc/proto-loader (pinned in package.json), loading the
// contracts from proto/ at run time, and runs the real personnel_server binary against the
// test MariaDB, so it checks the contract from outside the C++ code: creating and reading
// resources, paging to the end, health, and errors whose code and reason a client can
// branch on. The server runs with TLS and token checks on; the client trusts the test CA
// and sends a token minted by ladder_token. The twin of
// tests/clients/python/personnel_client_test.py.
//
// Run through ctest (scripts/test.sh, entry node_personnel_client_test); needs
// LADDER_TEST_MYSQL_SOCKET, LADDER_TEST_PKI_DIR (scripts/lib/dev-pki.sh), LADDER_BUILD_DIR
// and LADDER_TOKEN_TOOL (the ladder_token binary). By hand, from the repository root:
//   LADDER_TEST_MYSQL_SOCKET=... LADDER_TEST_PKI_DIR=.local/test/pki LADDER_BUILD_DIR=build \
//     node --test tests/clients/node/personnel_client_test.js

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PROTO_DIR = path.join(ROOT, 'proto');
const BUILD_DIR = path.resolve(ROOT, process.env.LADDER_BUILD_DIR || 'build');
const DEADLINE_MS = 10_000;
const SERVICE = 'ladder.personnel.v1.PersonnelService';
const PKI_DIR = process.env.LADDER_TEST_PKI_DIR;
assert.ok(PKI_DIR, 'LADDER_TEST_PKI_DIR is not set (run through scripts/test.sh)');
const pki = (name) => path.resolve(ROOT, PKI_DIR, name);
const TOKEN_TOOL = process.env.LADDER_TOKEN_TOOL ||
  path.join(BUILD_DIR, 'tools', 'token', 'ladder_token');

// A token from the ladder_token binary, signed with the test PKI's ES256 key.
function mintToken(subject, key = pki('jwt/private/ladder-dev-es256.key')) {
  return execFileSync(TOKEN_TOOL, [`--key=${key}`, '--kid=ladder-dev-es256',
    `--subject=${subject}`, '--role=HR_ADMIN', '--ttl=1h'], { encoding: 'utf8' }).trim();
}

// TLS verified with the test CA and, when there is a token, `authorization: Bearer` on
// every call: grpc-js combines call credentials with a secure channel only.
function credentials(token) {
  const channel = grpc.credentials.createSsl(fs.readFileSync(pki('ca.crt')));
  if (!token) return channel;
  const bearer = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.add('authorization', `Bearer ${token}`);
    callback(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(channel, bearer);
}

// Field names in camelCase (employeeNumber, pageToken…), enums as their names, 64-bit
// integers (Timestamp.seconds) as strings, unset fields filled with their defaults.
const definition = protoLoader.loadSync(
  ['ladder/personnel/v1/personnel_service.proto', 'grpc/health/v1/health.proto'],
  { longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] });
const loaded = grpc.loadPackageDefinition(definition);
const { PersonnelService } = loaded.ladder.personnel.v1;
const { Health } = loaded.grpc.health.v1;

// The rich error of a failed call: a google.rpc.Status in the grpc-status-details-bin
// trailer, whose Any details hold an ErrorInfo and, for bad input, a BadRequest. Decoded
// with protobufjs (what proto-loader itself is built on) from proto/google/rpc/.
const errorTypes = new protobuf.Root().loadSync(
  [path.join(PROTO_DIR, 'google/rpc/status.proto'),
    path.join(PROTO_DIR, 'google/rpc/error_details.proto')],
  { keepCase: true });
const Status = errorTypes.lookupType('google.rpc.Status');

function errorDetails(error) {
  const [bytes] = error.metadata.get('grpc-status-details-bin');
  assert.ok(bytes, `no grpc-status-details-bin trailer on: ${error.message}`);
  const status = Status.decode(bytes);
  assert.equal(status.code, error.code);
  const details = { reason: '', domain: '', field: '' };
  for (const any of status.details) {
    // "type.googleapis.com/google.rpc.ErrorInfo" → google.rpc.ErrorInfo
    const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    const message = errorTypes.lookupType(typeName).decode(any.value);
    if (typeName === 'google.rpc.ErrorInfo') {
      details.reason = message.reason;
      details.domain = message.domain;
    } else if (typeName === 'google.rpc.BadRequest') {
      details.field = message.field_violations[0].field;
    }
  }
  return details;
}

// personnel_server on a free loopback port; the port is read from its log.
class PersonnelServer {
  static start() {
    const socket = process.env.LADDER_TEST_MYSQL_SOCKET;
    assert.ok(socket, 'LADDER_TEST_MYSQL_SOCKET is not set (run through scripts/test.sh)');
    const user = process.env.LADDER_TEST_MYSQL_USER || 'ladder';
    const password = process.env.LADDER_TEST_MYSQL_PASSWORD || 'ladder';
    const database = `ladder_t_node_${process.pid}`;
    const server = new PersonnelServer();
    server.log = [];
    server.process = spawn(
      path.join(BUILD_DIR, 'services', 'personnel', 'personnel_server'),
      ['--listen=127.0.0.1:0',
        `--database=mysql://${user}:${password}@localhost/${database}?socket=${socket}`,
        '--policy_dir=config/policy', '--health_interval=200ms',
        `--tls_cert=${pki('personnel.crt')}`, `--tls_key=${pki('personnel.key')}`,
        `--tls_ca=${pki('ca.crt')}`, `--jwt_keys_dir=${pki('jwt/public')}`,
        '--jwt_issuer=ladder', '--jwt_audience=ladder'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server.exited = new Promise((resolve) => server.process.once('exit', (code, signal) =>
      resolve(code === null ? signal : code)));
    // Should this process die before stop() (a crash, a failed hook), take the server along.
    const killOnExit = () => server.process.kill('SIGKILL');
    process.once('exit', killOnExit);
    server.exited.then(() => process.removeListener('exit', killOnExit));
    // Keep draining both streams so the server never blocks on a full pipe.
    server.process.stdout.resume();
    const lines = readline.createInterface({ input: server.process.stderr });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail('no event=serving within 30 s'), 30_000);
      function fail(why) {
        if (server.port) return; // started: a later exit is stop()'s business
        clearTimeout(timer);
        server.process.kill('SIGKILL');
        reject(new Error(`personnel_server did not start (${why}):\n${server.log.join('\n')}`));
      }
      server.process.once('error', (error) => fail(error.message));
      server.exited.then((code) => fail(`exited with ${code}`));
      lines.on('line', (line) => {
        if (server.log.length < 200) server.log.push(line);
        const match = /event=serving .* port=(\d+)/.exec(line);
        if (match && !server.port) {
          server.port = Number(match[1]);
          clearTimeout(timer);
          resolve(server);
        }
      });
    });
  }

  // SIGTERM: the server drains and exits cleanly; resolves to its exit code (or signal).
  async stop() {
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

const options = () => ({ deadline: Date.now() + DEADLINE_MS });

// A unary call as a promise; a failure rejects with grpc-js's ServiceError (code,
// details, metadata = the trailers).
function unary(client, method, request, callOptions = options()) {
  return new Promise((resolve, reject) => {
    client[method](request, callOptions, (error, response) =>
      (error ? reject(error) : resolve(response)));
  });
}

async function refusal(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('the call was expected to fail');
}

const uniqueSuffix = () => crypto.randomUUID().replace(/-/g, '').slice(0, 8);

describe('PersonnelService from Node', () => {
  let server;
  let address;
  let personnel;
  let health;

  before(async () => {
    server = await PersonnelServer.start();
    address = `127.0.0.1:${server.port}`;
    const token = mintToken('node-client-test');
    personnel = new PersonnelService(address, credentials(token));
    health = new Health(address, credentials(token));
  });

  after(async () => {
    personnel?.close();
    health?.close();
    if (server) assert.equal(await server.stop(), 0, server.log.join('\n'));
  });

  async function county() {
    const city = await unary(personnel, 'CreateOrgUnit', {
      orgUnit: { displayName: `衢州-${uniqueSuffix()}`, kind: 'KIND_CITY_BRANCH' },
      requestId: crypto.randomUUID(),
    });
    return unary(personnel, 'CreateOrgUnit', {
      orgUnit: { displayName: '龙游县', kind: 'KIND_COUNTY', parent: city.name },
      requestId: crypto.randomUUID(),
    });
  }

  function employee(countyUnit, number) {
    return unary(personnel, 'CreateEmployee', {
      employee: {
        employeeNumber: number,
        displayName: '张三',
        county: countyUnit.name,
        role: 'ROLE_CUSTOMER_MANAGER',
        entryChannel: 'ENTRY_CHANNEL_EXTERNAL_RECRUITMENT',
        hireDate: { year: 2021, month: 5, day: 10 },
      },
      requestId: crypto.randomUUID(),
    });
  }

  it('reports SERVING on the health endpoint', async () => {
    // The first database probe runs just after the port opens: allow it a moment.
    const until = Date.now() + DEADLINE_MS;
    let response;
    for (;;) {
      response = await unary(health, 'Check', { service: SERVICE },
        { deadline: Date.now() + DEADLINE_MS, waitForReady: true });
      if (response.status === 'SERVING' || Date.now() > until) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(response.status, 'SERVING');
  });

  it('refuses a call without a valid token as UNAUTHENTICATED', async () => {
    const rogue = mintToken('intruder', pki('jwt/rogue/ladder-dev-es256.key'));
    for (const token of ['', rogue]) {
      const client = new PersonnelService(address, credentials(token));
      try {
        const error = await refusal(unary(client, 'ListOrgUnits', {}));
        assert.equal(error.code, grpc.status.UNAUTHENTICATED, error.message);
      } finally {
        client.close();
      }
    }
  });

  it('creates a county and an employee and reads them back', async () => {
    const countyUnit = await county();
    assert.match(countyUnit.name, /^orgUnits\/\d+$/);
    assert.equal(countyUnit.kind, 'KIND_COUNTY');
    assert.deepEqual(await unary(personnel, 'GetOrgUnit', { name: countyUnit.name }), countyUnit);

    const created = await employee(countyUnit, `ND${uniqueSuffix()}`);
    assert.match(created.name, /^employees\/\d+$/);
    assert.equal(created.status, 'EMPLOYMENT_STATUS_AWAITING_LEVEL');
    const read = await unary(personnel, 'GetEmployee', { name: created.name });
    assert.deepEqual(read, created);
    assert.equal(read.displayName, '张三');
    assert.equal(read.county, countyUnit.name);
    assert.deepEqual(read.hireDate, { year: 2021, month: 5, day: 10 });
    assert.equal(typeof read.createTime.seconds, 'string'); // int64 as a string
  });

  it('pages through ListEmployees to the end', async () => {
    const countyUnit = await county();
    const names = new Set();
    for (let i = 0; i < 7; i += 1) {
      names.add((await employee(countyUnit, `NP${i}${uniqueSuffix()}`)).name);
    }
    const seen = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await unary(personnel, 'ListEmployees',
        { county: countyUnit.name, pageSize: 3, pageToken }, { deadline: Date.now() + 30_000 });
      seen.push(...page.employees.map((e) => e.name));
      pages += 1;
      pageToken = page.nextPageToken;
    } while (pageToken);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, seen.length, 'no employee is listed twice');
    assert.deepEqual(new Set(seen), names);
  });

  it('refuses a senior promotion over the cap with a reason to branch on', async () => {
    const countyUnit = await county();
    const manager = await employee(countyUnit, `NC${uniqueSuffix()}`);
    // One levelled manager: floor(20% × 1) = 0 senior slots.
    const error = await refusal(unary(personnel, 'ChangeLevel', {
      name: manager.name, level: 'LEVEL_SENIOR', reason: 'try', requestId: crypto.randomUUID(),
    }));
    assert.equal(error.code, grpc.status.FAILED_PRECONDITION, error.message);
    const { reason, domain, field } = errorDetails(error);
    assert.equal(reason, 'SENIOR_CAP_REACHED');
    assert.equal(domain, 'personnel.ladder');
    assert.equal(field, '');
  });

  it('names the offending field of bad input', async () => {
    const error = await refusal(unary(personnel, 'CreateEmployee', {
      employee: { employeeNumber: '', displayName: 'x' },
    }));
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT, error.message);
    const { reason, field } = errorDetails(error);
    assert.equal(reason, 'INVALID_FIELD');
    assert.equal(field, 'employee.employee_number');
  });
});
