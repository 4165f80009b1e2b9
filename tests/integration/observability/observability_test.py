"""What an operator sees of the live suite: metrics scraped by a real Prometheus, traces
across services, JSON logs.

Starts the real personnel, evaluation and careerpath servers on loopback (TLS and tokens
on, as deployed) with --metrics_listen=127.0.0.1:0, and Debian's Prometheus on loopback
scraping the three every second (job "ladder", as the alert rules expect). Then makes known
calls and asks Prometheus' HTTP API what it scraped:
  - GetEmployee's started, handled (by code), message and latency histogram series moved by
    exactly the calls made, with go-grpc-prometheus' names and labels;
  - careerpath's client series for its calls into personnel;
  - the pool gauges of personnel's database, within the pool's bound;
  - a county's senior, intermediate and cap gauges before and after a promotion;
  - a /metrics page that holds no employee's name or number.
And follows one call into careerpath with a given traceparent through careerpath's and
personnel's logs, the response's own traceparent, and the JSON lines of personnel's log.

Run through ctest (scripts/test.sh); needs LADDER_TEST_MYSQL_SOCKET, LADDER_TEST_PKI_DIR,
LADDER_BUILD_DIR, LADDER_TOKEN_TOOL, and /usr/bin/prometheus (Debian's prometheus).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support", "python"))
import ladder_servers  # noqa: E402
from ladder_servers import Server, mint_token, secure_channel  # noqa: E402

sys.path.insert(0, os.path.join(ladder_servers.BUILD_DIR, "gen", "python"))
import grpc  # noqa: E402
from google.type import date_pb2  # noqa: E402
from ladder.careerpath.v1 import careerpath_service_pb2 as cs  # noqa: E402
from ladder.careerpath.v1 import careerpath_service_pb2_grpc as cs_grpc  # noqa: E402
from ladder.careerpath.v1 import eligibility_pb2  # noqa: E402
from ladder.common.v1 import level_pb2  # noqa: E402
from ladder.evaluation.v1 import cycle_pb2, scorecard_pb2  # noqa: E402
from ladder.evaluation.v1 import evaluation_service_pb2 as es  # noqa: E402
from ladder.evaluation.v1 import evaluation_service_pb2_grpc as es_grpc  # noqa: E402
from ladder.personnel.v1 import employee_pb2, org_unit_pb2  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2 as ps  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2_grpc as ps_grpc  # noqa: E402

PROMETHEUS = "/usr/bin/prometheus"
DEADLINE = 10
# How long a value may take to reach Prometheus: the domain gauges' refresh (1 s here) and a
# scrape (every second), with room for a slow machine.
SETTLE_S = 20
POOL_SIZE = 5
PERSONNEL = "ladder.personnel.v1.PersonnelService"
CAREERPATH = "ladder.careerpath.v1.CareerPathService"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


class Prometheus:
    """Debian's Prometheus on a loopback port, its data in a folder of the test's own."""

    def __init__(self, folder, targets):
        self.port = free_port()
        config = os.path.join(folder, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                    "scrape_configs:\n  - job_name: ladder\n    static_configs:\n")
            for app, port in targets.items():
                f.write("      - targets: ['127.0.0.1:%d']\n        labels: {app: %s}\n" % (port, app))
        self.log = open(os.path.join(folder, "prometheus.log"), "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(folder, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.url = "http://127.0.0.1:%d" % self.port
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("prometheus exited %d; see %s" % (self.process.returncode, self.log.name))
            try:
                if "Ready" in http_get(self.url + "/-/ready", timeout=1):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("prometheus not ready after 60 s")
            time.sleep(0.2)

    def query(self, promql):
        """The instant vector of PROMQL now: {frozenset(labels): float}."""
        body = json.loads(http_get(self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": promql})))
        if body.get("status") != "success":
            raise AssertionError("query %r failed: %s" % (promql, body))
        return {frozenset(r["metric"].items()): float(r["value"][1]) for r in body["data"]["result"]}

    def value(self, promql):
        """The single value of PROMQL, or None while it has no sample."""
        result = self.query(promql)
        if len(result) > 1:
            raise AssertionError("query %r returned %d series: %s" % (promql, len(result), result))
        return next(iter(result.values())) if result else None

    def wait_for(self, promql, want, timeout=SETTLE_S):
        """Waits until PROMQL's single value is WANT; returns the last value seen."""
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            seen = self.value(promql)
            if seen == want:
                return seen
            time.sleep(0.25)
        return seen

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class ObservabilityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(PROMETHEUS):
            raise unittest.SkipTest("no %s: install Debian's prometheus (scripts/install-deps.sh)" % PROMETHEUS)
        cls.tmp = tempfile.mkdtemp(prefix="ladder_observability_")
        cls.servers, cls.channels, cls.prometheus = [], [], None
        try:
            cls.start()
        except BaseException:
            cls.clean_up()  # tearDownClass does not run after a failed setUpClass
            raise

    @classmethod
    def start(cls):
        common = ["--metrics_listen=127.0.0.1:0", "--metrics_refresh_interval=1s", "--log_level=debug"]
        options = dict(database_prefix="ladder_t_obs", database_options="&pool_size=%d" % POOL_SIZE)
        cls.personnel_server = Server("personnel", common + ["--log_format=json"], **options)
        cls.servers.append(cls.personnel_server)
        cls.evaluation_server = Server("evaluation", common + ["--personnel=" + cls.personnel_server.address],
                                       **options)
        cls.servers.append(cls.evaluation_server)
        cls.careerpath_server = Server("careerpath", common + ["--personnel=" + cls.personnel_server.address,
                                                               "--evaluation=" + cls.evaluation_server.address],
                                       **options)
        cls.servers.append(cls.careerpath_server)
        for server in cls.servers:
            if server.metrics_port is None:
                raise RuntimeError("%s_server logged no metrics_serving line" % server.name)
        cls.prometheus = Prometheus(cls.tmp, {s.name: s.metrics_port for s in cls.servers})
        token = mint_token("observability-test")
        cls.channels = [secure_channel(s.address, token) for s in cls.servers]
        cls.personnel = ps_grpc.PersonnelServiceStub(cls.channels[0])
        cls.evaluation = es_grpc.EvaluationServiceStub(cls.channels[1])
        cls.careerpath = cs_grpc.CareerPathServiceStub(cls.channels[2])
        # Every target scraped at least once.
        deadline = time.monotonic() + SETTLE_S
        while cls.prometheus.value('count(up{job="ladder"} == 1)') != 3.0:
            if time.monotonic() > deadline:
                raise RuntimeError("prometheus does not scrape the three servers: %s"
                                   % http_get(cls.prometheus.url + "/api/v1/targets"))
            time.sleep(0.25)

    @classmethod
    def tearDownClass(cls):
        codes = cls.clean_up()
        assert all(code == 0 for code in codes), codes

    @classmethod
    def clean_up(cls):
        if cls.prometheus is not None:
            cls.prometheus.stop()
        for channel in cls.channels:
            channel.close()
        codes = [server.stop() for server in reversed(cls.servers)]
        for server in cls.servers:
            server.drop_database()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        return codes

    # --- helpers -------------------------------------------------------------------------

    def county(self, name):
        city = self.personnel.CreateOrgUnit(ps.CreateOrgUnitRequest(
            org_unit=org_unit_pb2.OrgUnit(display_name="观测分公司-" + uuid.uuid4().hex[:6],
                                          kind=org_unit_pb2.OrgUnit.KIND_CITY_BRANCH),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)
        return self.personnel.CreateOrgUnit(ps.CreateOrgUnitRequest(
            org_unit=org_unit_pb2.OrgUnit(display_name=name, kind=org_unit_pb2.OrgUnit.KIND_COUNTY,
                                          parent=city.name),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)

    def manager(self, county, number, display_name, level=None):
        employee = self.personnel.CreateEmployee(ps.CreateEmployeeRequest(
            employee=employee_pb2.Employee(
                employee_number=number, display_name=display_name, county=county.name,
                role=employee_pb2.ROLE_CUSTOMER_MANAGER,
                entry_channel=employee_pb2.ENTRY_CHANNEL_EXTERNAL_RECRUITMENT,
                hire_date=date_pb2.Date(year=2021, month=5, day=10)),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)
        if level is not None:
            employee = self.change_level(employee, level)
        return employee

    def change_level(self, employee, level):
        return self.personnel.ChangeLevel(ps.ChangeLevelRequest(
            name=employee.name, expected_level=employee.level, level=level, reason="observability test",
            request_id=str(uuid.uuid4())),
            timeout=DEADLINE)

    def value_or_zero(self, promql):
        value = self.prometheus.value(promql)
        return 0.0 if value is None else value

    def assertSettles(self, promql, want):
        seen = self.prometheus.wait_for(promql, want)
        self.assertEqual(seen, want, "%s: Prometheus shows %s, want %s" % (promql, seen, want))

    # --- metrics -------------------------------------------------------------------------

    def test_server_series_count_exactly_the_calls_made(self):
        selector = 'job="ladder",app="personnel",grpc_service="%s",grpc_method="GetEmployee",grpc_type="unary"' % PERSONNEL
        series = {
            "ok": 'grpc_server_handled_total{%s,grpc_code="OK"}' % selector,
            "not_found": 'grpc_server_handled_total{%s,grpc_code="NotFound"}' % selector,
            "started": 'grpc_server_started_total{%s}' % selector,
            "received": 'grpc_server_msg_received_total{%s}' % selector,
            "sent": 'grpc_server_msg_sent_total{%s}' % selector,
            "count": 'grpc_server_handling_seconds_count{%s}' % selector,
        }
        before = {key: self.value_or_zero(promql) for key, promql in series.items()}
        county = self.county("计数县")
        employee = self.manager(county, "OBS" + uuid.uuid4().hex[:8], "计数员")
        for _ in range(7):
            self.personnel.GetEmployee(ps.GetEmployeeRequest(name=employee.name), timeout=DEADLINE)
        for _ in range(3):
            with self.assertRaises(grpc.RpcError) as raised:
                self.personnel.GetEmployee(ps.GetEmployeeRequest(name="employees/987654321"), timeout=DEADLINE)
            self.assertEqual(raised.exception.code(), grpc.StatusCode.NOT_FOUND)
        # A reply per successful call; a failed call sends none.
        want = {"ok": 7, "not_found": 3, "started": 10, "received": 10, "sent": 7, "count": 10}
        for key, promql in series.items():
            self.assertSettles(promql, before[key] + want[key])

        buckets = self.prometheus.query('grpc_server_handling_seconds_bucket{%s}' % selector)
        by_bound = {dict(labels)["le"]: value for labels, value in buckets.items()}
        self.assertIn("+Inf", by_bound)
        self.assertEqual(by_bound["+Inf"], self.prometheus.value(series["count"]))
        bounds = sorted((float(le) for le in by_bound if le != "+Inf"))
        self.assertEqual(bounds[0], 0.001, "the first bucket is 1 ms")
        self.assertEqual(bounds[-1], 10.0, "the last finite bucket is 10 s")
        counts = [by_bound[le] for le in sorted(by_bound, key=lambda le: float(le))]
        self.assertEqual(counts, sorted(counts), "bucket counts are cumulative: %s" % by_bound)
        # Ten calls on loopback: all of them well under 10 s.
        self.assertGreaterEqual(by_bound["10"] - by_bound.get("0", 0), 10)

    def test_client_series_of_careerpath_calls_into_personnel(self):
        county = self.county("客户端县")
        employee = self.manager(county, "OBS" + uuid.uuid4().hex[:8], "客户端员", level_pb2.LEVEL_JUNIOR)
        selector = 'job="ladder",app="careerpath",grpc_service="%s",grpc_type="unary"' % PERSONNEL
        before = self.value_or_zero('sum(grpc_client_started_total{%s})' % selector)
        self.careerpath.CheckEligibility(cs.CheckEligibilityRequest(
            employee=employee.name, target=eligibility_pb2.TARGET_PROMOTION), timeout=DEADLINE)
        deadline = time.monotonic() + SETTLE_S
        after = before
        while after <= before and time.monotonic() < deadline:
            time.sleep(0.25)
            after = self.value_or_zero('sum(grpc_client_started_total{%s})' % selector)
        self.assertGreater(after, before, "careerpath's calls into personnel are not counted")
        handled = self.prometheus.query('sum by (grpc_code) (grpc_client_handled_total{%s})' % selector)
        codes = {dict(labels)["grpc_code"]: value for labels, value in handled.items()}
        self.assertGreaterEqual(codes.get("OK", 0), 1, codes)
        self.assertEqual(sum(codes.values()), self.value_or_zero('sum(grpc_client_started_total{%s})' % selector))

    def test_pool_gauges_stay_within_the_pool(self):
        self.assertSettles('ladder_db_pool_max_connections{job="ladder",app="personnel"}', float(POOL_SIZE))
        states = self.prometheus.query('ladder_db_pool_connections{job="ladder",app="personnel"}')
        by_state = {dict(labels)["state"]: value for labels, value in states.items()}
        self.assertEqual(set(by_state), {"in_use", "idle"}, states)
        self.assertGreaterEqual(by_state["in_use"] + by_state["idle"], 1, "the server has used its database")
        self.assertLessEqual(by_state["in_use"] + by_state["idle"], POOL_SIZE)
        self.assertIsNotNone(self.prometheus.value(
            'ladder_db_transaction_seconds_count{job="ladder",app="personnel"}'))

    def test_statement_latency_counts_reads_and_writes(self):
        reads = 'sum(ladder_db_statement_seconds_count{job="ladder",app="personnel",kind="read"})'
        writes = 'sum(ladder_db_statement_seconds_count{job="ladder",app="personnel",kind="write"})'
        county = self.county("语句县")
        employee = self.manager(county, "OBS" + uuid.uuid4().hex[:8], "语句员")
        # Scraped after the create (its writes), so that what follows is counted apart.
        time.sleep(2.5)  # two scrapes (scrape_interval 1s)
        reads_before, writes_before = self.value_or_zero(reads), self.value_or_zero(writes)
        for _ in range(7):
            self.personnel.GetEmployee(ps.GetEmployeeRequest(name=employee.name), timeout=DEADLINE)
        self.change_level(employee, level_pb2.LEVEL_JUNIOR)
        # Each GetEmployee reads at least once; the change writes (its rows, COMMIT). The
        # server's own work (sealing, gauges) may add more, never less.
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline and (self.value_or_zero(reads) < reads_before + 7 or
                                                self.value_or_zero(writes) < writes_before + 2):
            time.sleep(0.25)
        self.assertGreaterEqual(self.value_or_zero(reads), reads_before + 7)
        self.assertGreaterEqual(self.value_or_zero(writes), writes_before + 2)
        buckets = self.prometheus.query(
            'ladder_db_statement_seconds_bucket{job="ladder",app="personnel",kind="read"}')
        bounds = sorted(float(dict(labels)["le"]) for labels in buckets if dict(labels)["le"] != "+Inf")
        self.assertEqual(bounds[0], 0.0001, "the first bucket is 100 µs")
        self.assertEqual(bounds[-1], 10.0, "the last finite bucket is the 10 s statement bound")

    def test_county_gauges_follow_a_promotion(self):
        county = self.county("晋升县")
        managers = [self.manager(county, "OBS" + uuid.uuid4().hex[:8], "晋升员%d" % i, level_pb2.LEVEL_INTERMEDIATE)
                    for i in range(5)]
        labels = 'job="ladder",app="personnel",county="%s"' % county.name
        self.assertSettles('ladder_county_managers{%s,level="intermediate"}' % labels, 5.0)
        self.assertSettles('ladder_county_managers{%s,level="senior"}' % labels, 0.0)
        self.assertSettles('ladder_county_levelled_managers{%s}' % labels, 5.0)
        self.assertSettles('ladder_county_senior_cap{%s}' % labels, 1.0)  # floor(20% of 5)
        self.change_level(managers[0], level_pb2.LEVEL_SENIOR)
        self.assertSettles('ladder_county_managers{%s,level="senior"}' % labels, 1.0)
        self.assertSettles('ladder_county_managers{%s,level="intermediate"}' % labels, 4.0)
        self.assertSettles('ladder_county_over_senior_cap{%s}' % labels, 0.0)
        # A second senior is refused by the cap, and the refusal is counted for the county.
        with self.assertRaises(grpc.RpcError) as raised:
            self.change_level(managers[1], level_pb2.LEVEL_SENIOR)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertSettles('sum(ladder_senior_cap_refusals_total{%s})' % labels, 1.0)
        self.assertSettles('ladder_county_managers{%s,level="senior"}' % labels, 1.0)

    def test_cycle_gauges_follow_a_cycle_through_its_states(self):
        labels = 'job="ladder",app="evaluation"'
        self.assertSettles('count(ladder_cycles{%s})' % labels, 3.0)  # open, in_review, finalized
        county = self.county("考核县")
        self.manager(county, "OBS" + uuid.uuid4().hex[:8], "考核员", level_pb2.LEVEL_JUNIOR)
        scorecard = self.evaluation.CreateScorecard(es.CreateScorecardRequest(
            scorecard=scorecard_pb2.Scorecard(display_name="观测评分卡", indicators=[
                scorecard_pb2.Scorecard.Indicator(key="results", display_name="业务业绩", weight_percent=100)]),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)
        open_before = self.value_or_zero('ladder_cycles{%s,state="open"}' % labels)
        review_before = self.value_or_zero('ladder_cycles{%s,state="in_review"}' % labels)
        cycle = self.evaluation.CreateCycle(es.CreateCycleRequest(
            cycle=cycle_pb2.Cycle(display_name="观测周期", period=cycle_pb2.Cycle.PERIOD_MONTHLY,
                                  start_date=date_pb2.Date(year=2026, month=11, day=1),
                                  end_date=date_pb2.Date(year=2026, month=11, day=30),
                                  scorecard=scorecard.name, scope=county.name),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)
        self.assertSettles('ladder_cycles{%s,state="open"}' % labels, open_before + 1)
        self.evaluation.StartReview(es.StartReviewRequest(name=cycle.name, request_id=str(uuid.uuid4())),
                                     timeout=DEADLINE)
        self.assertSettles('ladder_cycles{%s,state="in_review"}' % labels, review_before + 1)
        self.assertSettles('ladder_cycles{%s,state="open"}' % labels, open_before)
        self.assertSettles('ladder_rechecks_open{%s}' % labels, 0.0)

    def test_change_feed_series_follow_a_watch(self):
        labels = 'job="ladder",app="personnel"'
        self.assertSettles('ladder_change_feed_watches{%s}' % labels, 0.0)
        end = ""
        while True:
            page = self.personnel.ListChanges(ps.ListChangesRequest(cursor=end, page_size=1000), timeout=DEADLINE)
            end = page.next_cursor
            if len(page.changes) < 1000:
                break
        watch = self.personnel.WatchChanges(ps.WatchChangesRequest(cursor=end), timeout=60)
        next(watch)  # the first message: the watch is established, at the feed's end
        self.assertSettles('ladder_change_feed_watches{%s}' % labels, 1.0)
        delivered_before = self.prometheus.value('ladder_change_feed_changes_delivered_total{%s}' % labels) or 0.0
        self.manager(self.county("订阅县"), "OBS" + uuid.uuid4().hex[:8], "订阅员", level_pb2.LEVEL_JUNIOR)
        seen = 0
        for message in watch:
            seen += len(message.changes)
            if seen >= 2:  # created, then its first level
                break
        watch.cancel()
        self.assertSettles('ladder_change_feed_changes_delivered_total{%s}' % labels, delivered_before + seen)
        self.assertSettles('ladder_change_feed_watches{%s}' % labels, 0.0)
        self.assertGreaterEqual(self.prometheus.value(
            'ladder_change_feed_delivery_delay_seconds_count{%s}' % labels), float(seen))

    def test_metrics_hold_no_personal_data(self):
        county = self.county("隐私县")
        number = "OBS" + uuid.uuid4().hex[:8]
        employee = self.manager(county, number, "隐私测试员", level_pb2.LEVEL_JUNIOR)
        self.personnel.GetEmployee(ps.GetEmployeeRequest(name=employee.name), timeout=DEADLINE)
        self.careerpath.CheckEligibility(cs.CheckEligibilityRequest(
            employee=employee.name, target=eligibility_pb2.TARGET_PROMOTION), timeout=DEADLINE)
        time.sleep(1.5)  # a refresh of the domain gauges
        for server in self.servers:
            page = http_get("http://127.0.0.1:%d/metrics" % server.metrics_port)
            self.assertIn("grpc_server_handled_total", page)
            for personal in (number, "隐私测试员", employee.name, "observability-test"):
                self.assertNotIn(personal, page, "%s's /metrics shows %r" % (server.name, personal))

    # --- traces and logs -----------------------------------------------------------------

    def log_lines_with(self, server, trace_id, timeout=SETTLE_S):
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in server.lines() if trace_id in line]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def test_a_trace_follows_a_call_from_careerpath_into_personnel(self):
        county = self.county("追踪县")
        employee = self.manager(county, "OBS" + uuid.uuid4().hex[:8], "追踪员", level_pb2.LEVEL_JUNIOR)
        trace_id = uuid.uuid4().hex
        parent = "00-%s-%s-01" % (trace_id, uuid.uuid4().hex[:16])
        _, call = self.careerpath.CheckEligibility.with_call(
            cs.CheckEligibilityRequest(employee=employee.name, target=eligibility_pb2.TARGET_PROMOTION),
            metadata=[("traceparent", parent)], timeout=DEADLINE)
        returned = dict(call.initial_metadata()).get("traceparent", "")
        match = re.fullmatch(r"00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]", returned)
        self.assertIsNotNone(match, "the response carries no valid traceparent: %r" % returned)
        self.assertEqual(match.group(1), trace_id, "careerpath answered under another trace")
        self.assertNotEqual(match.group(2), parent.split("-")[2], "careerpath's span is the caller's")

        careerpath_lines = self.log_lines_with(self.careerpath_server, trace_id)
        self.assertTrue(any("/%s/CheckEligibility" % CAREERPATH in line for line in careerpath_lines),
                        "careerpath's log has no CheckEligibility line with trace_id %s" % trace_id)
        personnel_lines = self.log_lines_with(self.personnel_server, trace_id)
        calls = [json.loads(line) for line in personnel_lines]
        self.assertTrue(calls, "personnel's log has no line with trace_id %s" % trace_id)
        for entry in calls:
            self.assertEqual(entry.get("trace_id"), trace_id)
            self.assertTrue(entry.get("method", "").startswith("/%s/" % PERSONNEL), entry)

    def test_the_audit_event_of_a_change_records_its_trace(self):
        county = self.county("审计追踪县")
        employee = self.manager(county, "OBS" + uuid.uuid4().hex[:8], "审计追踪员")
        trace_id = uuid.uuid4().hex
        self.personnel.ChangeLevel(ps.ChangeLevelRequest(
            name=employee.name, level=level_pb2.LEVEL_JUNIOR, reason="observability test",
            request_id=str(uuid.uuid4())),
            metadata=[("traceparent", "00-%s-%s-01" % (trace_id, uuid.uuid4().hex[:16]))], timeout=DEADLINE)
        events = self.personnel.ListAuditEvents(ps.ListAuditEventsRequest(page_size=50), timeout=DEADLINE).audit_events
        changes = [e for e in events if e.resource == employee.name and e.method.endswith("/ChangeLevel")]
        self.assertEqual(len(changes), 1, [(e.method, e.resource) for e in events])
        self.assertEqual(changes[0].trace_id, trace_id)
        creations = [e for e in events if e.resource == employee.name and e.method.endswith("/CreateEmployee")]
        self.assertEqual(len(creations), 1)
        self.assertRegex(creations[0].trace_id, "^[0-9a-f]{32}$")
        self.assertNotEqual(creations[0].trace_id, trace_id, "another call, another trace")
        # The chain covers the trace id: the trail still verifies.
        verified = self.personnel.VerifyAuditTrail(ps.VerifyAuditTrailRequest(), timeout=DEADLINE).verification
        self.assertTrue(verified.intact, verified.problem)

    def test_a_call_without_a_trace_gets_one(self):
        for metadata in ([], [("traceparent", "not-a-trace")], [("traceparent", "00-" + "0" * 32 + "-" + "1" * 16 + "-01")]):
            _, call = self.personnel.ListOrgUnits.with_call(ps.ListOrgUnitsRequest(page_size=1),
                                                            metadata=metadata, timeout=DEADLINE)
            returned = dict(call.initial_metadata()).get("traceparent", "")
            match = re.fullmatch(r"00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]", returned)
            self.assertIsNotNone(match, "%s: no valid traceparent returned: %r" % (metadata, returned))
            self.assertNotEqual(match.group(1), "0" * 32, "an all-zero trace id is invalid")
            self.assertTrue(self.log_lines_with(self.personnel_server, match.group(1)),
                            "%s: the access log has no line with the new trace id" % metadata)

    def test_json_log_lines_parse_and_carry_the_fields(self):
        self.personnel.ListOrgUnits(ps.ListOrgUnitsRequest(page_size=1), timeout=DEADLINE)
        deadline = time.monotonic() + SETTLE_S
        while True:
            lines = self.personnel_server.lines()
            rpcs = [json.loads(line) for line in lines if '"msg":"rpc"' in line]
            if rpcs or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for line in lines:
            entry = json.loads(line)  # every line is one JSON object
            for field in ("ts", "level", "service", "msg"):
                self.assertIn(field, entry, line)
            self.assertEqual(entry["service"], "personnel", line)
        self.assertTrue(rpcs, "no access-log line (msg rpc)")
        for entry in rpcs:
            for field in ("trace_id", "method", "code", "ms", "peer", "actor"):
                self.assertIn(field, entry, entry)
            self.assertIsInstance(entry["code"], int)
            self.assertIsInstance(entry["ms"], (int, float))


if __name__ == "__main__":
    unittest.main(verbosity=2)
