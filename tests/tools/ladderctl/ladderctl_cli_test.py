"""ladderctl against the live suite.

Starts the real personnel, evaluation and careerpath servers on free loopback ports
(databases ladder_t_cli_<pid>_<service> on the test MariaDB) with TLS, each with its own
certificate of the test PKI and the token keys, loads the demo with scripts/load-demo.sh
as scripts/run.sh does, then runs the ladderctl binary, with the CA and an HR_ADMIN token
minted by ladder_token, the way an HR
officer or a script would and checks what landed through the generated Python stubs:
imports with good and bad rows, re-runs that change nothing, an interrupted import
resumed, the senior cap as a row error, the distribution table against the service's
report, the SVG chart, display-width alignment, the exit codes, and a token that never
shows in what ladderctl prints.

Run through ctest (scripts/test.sh); needs LADDER_TEST_MYSQL_SOCKET, LADDER_TEST_PKI_DIR,
LADDER_BUILD_DIR, LADDERCTL and LADDER_TOKEN_TOOL (the binaries).
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support", "python"))
import ladder_servers  # noqa: E402
from ladder_servers import BUILD_DIR, ROOT, mint_token, pki  # noqa: E402

LADDERCTL = os.environ.get("LADDERCTL", os.path.join(BUILD_DIR, "tools", "ladderctl", "ladderctl"))
sys.path.insert(0, os.path.join(BUILD_DIR, "gen", "python"))

import grpc  # noqa: E402
from ladder.careerpath.v1 import careerpath_service_pb2 as cs  # noqa: E402
from ladder.careerpath.v1 import careerpath_service_pb2_grpc as cs_grpc  # noqa: E402
from ladder.evaluation.v1 import evaluation_service_pb2 as es  # noqa: E402
from ladder.evaluation.v1 import evaluation_service_pb2_grpc as es_grpc  # noqa: E402
from ladder.personnel.v1 import employee_pb2  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2 as ps  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2_grpc as ps_grpc  # noqa: E402
from ladder.common.v1 import level_pb2  # noqa: E402

DEADLINE = 30
BOM = "\ufeff"


def display_width(text):
    width = 0
    for c in text:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Cf", "Cc"):
            continue
        width += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return width


def Server(name, extra):
    return ladder_servers.Server(name, extra, database_prefix="ladder_t_cli")


class LadderctlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ladderctl_test_")
        cls.servers = []
        cls.channels = []
        try:
            cls.start_suite()
        except BaseException:
            cls.clean_up()  # tearDownClass does not run after a failed setUpClass
            raise

    @classmethod
    def start_suite(cls):
        personnel = Server("personnel", [])
        cls.servers.append(personnel)
        evaluation = Server("evaluation", ["--personnel=" + personnel.address])
        cls.servers.append(evaluation)
        careerpath = Server("careerpath", ["--personnel=" + personnel.address,
                                           "--evaluation=" + evaluation.address])
        cls.servers.append(careerpath)
        cls.token = mint_token("cli-test")
        cls.env = dict(os.environ,
                       LADDER_PERSONNEL_ADDRESS=personnel.address,
                       LADDER_EVALUATION_ADDRESS=evaluation.address,
                       LADDER_CAREERPATH_ADDRESS=careerpath.address,
                       LADDER_ACTOR="cli-test",
                       LADDER_TLS_CA=pki("ca.crt"),
                       LADDER_TOKEN=cls.token,
                       LADDERCTL=LADDERCTL)
        with open(pki("ca.crt"), "rb") as f:
            credentials = grpc.composite_channel_credentials(
                grpc.ssl_channel_credentials(root_certificates=f.read()),
                grpc.access_token_call_credentials(cls.token))
        cls.channels = [grpc.secure_channel(s.address, credentials) for s in cls.servers]
        cls.personnel = ps_grpc.PersonnelServiceStub(cls.channels[0])
        cls.evaluation = es_grpc.EvaluationServiceStub(cls.channels[1])
        cls.careerpath = cs_grpc.CareerPathServiceStub(cls.channels[2])

        # The demo, as scripts/run.sh loads it.
        started = time.monotonic()
        load = subprocess.run(["bash", os.path.join(ROOT, "scripts", "load-demo.sh")], env=cls.env,
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        cls.demo_seconds = time.monotonic() - started
        if load.returncode != 0:
            raise RuntimeError("load-demo.sh failed (%d):\n%s\n%s" % (load.returncode, load.stdout, load.stderr))
        cls.demo_output = load.stdout + load.stderr

        # A branch of its own for the import tests, with a Latin county name among the Chinese.
        cls.write(cls, "org.csv", "名称,类型,上级\n测试分公司,市分公司,\n测试县,区县,测试分公司\n"
                  "Test County,区县,测试分公司\n小县,区县,测试分公司\n")
        cls.write(cls, "teams.csv", "区县,团队\n测试县,测试县一组\nTest County,Team A\n")
        for args in (["orgunits", "import", cls.path(cls, "org.csv")],
                     ["teams", "import", cls.path(cls, "teams.csv")]):
            result = cls.ctl(cls, *args)
            if result.returncode != 0:
                raise RuntimeError(result.stdout + result.stderr)

    @classmethod
    def tearDownClass(cls):
        codes = cls.clean_up()
        # SIGTERM: every server drains and exits cleanly.
        assert all(code == 0 for code in codes), codes

    @classmethod
    def clean_up(cls):
        for channel in cls.channels:
            channel.close()
        codes = [server.stop() for server in reversed(cls.servers)]
        shutil.rmtree(cls.tmp, ignore_errors=True)
        for server in cls.servers:
            server.drop_database()
        return codes

    # --- helpers -------------------------------------------------------------------------

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text, encoding="utf-8"):
        with open(os.path.join(self.tmp, name), "w", encoding=encoding, newline="") as out:
            out.write(text)
        return os.path.join(self.tmp, name)

    def ctl(self, *args, env=None):
        return subprocess.run([LADDERCTL] + list(args), env=env or self.env, capture_output=True,
                              text=True, timeout=300, cwd=ROOT)

    def employees(self, **filters):
        result, token = [], ""
        while True:
            page = self.personnel.ListEmployees(ps.ListEmployeesRequest(page_size=1000, page_token=token, **filters),
                                                timeout=DEADLINE)
            result.extend(page.employees)
            token = page.next_page_token
            if not token:
                return result

    def level_changes(self):
        result, token = [], ""
        while True:
            page = self.personnel.ListLevelChanges(
                ps.ListLevelChangesRequest(parent="employees/-", page_size=1000, page_token=token), timeout=DEADLINE)
            result.extend(page.level_changes)
            token = page.next_page_token
            if not token:
                return result

    def by_number(self):
        return {e.employee_number: e for e in self.employees()}

    def org_unit(self, display_name):
        units = self.personnel.ListOrgUnits(ps.ListOrgUnitsRequest(page_size=1000), timeout=DEADLINE).org_units
        return next(u for u in units if u.display_name == display_name)

    def snapshot(self):
        """Everything an import could change in personnel: etags and the history."""
        return ({e.name: e.etag for e in self.employees()}, len(self.level_changes()))

    def assertExit(self, result, code):
        self.assertEqual(result.returncode, code,
                         "exit %d, expected %d\nstdout:\n%s\nstderr:\n%s" %
                         (result.returncode, code, result.stdout, result.stderr))

    # --- usage and availability ----------------------------------------------------------

    def test_01_help_and_bad_usage(self):
        self.assertExit(self.ctl("--help"), 0)
        for words in (["employees", "import"], ["report", "distribution"], ["cases", "approve"],
                      ["scores", "import"], ["eligibility"], ["quota"], ["review"]):
            result = self.ctl(*(words + ["--help"]))
            self.assertExit(result, 0)
            self.assertIn("Usage: ladderctl " + " ".join(words), result.stdout)
            self.assertIn("Exit status", result.stdout)
        for args in (["bogus"], [], ["employees"], ["employees", "list", "--bogus"],
                     ["employees", "import"], ["scores", "import", "x.csv"],
                     ["report", "distribution", "衢州分公司", "--format", "xml"],
                     ["employees", "list", "--deadline", "soon"], ["quota", "a", "b"]):
            result = self.ctl(*args)
            self.assertExit(result, 2)
            self.assertIn("ladderctl", result.stderr)

    def test_02_unreachable_service_is_3(self):
        started = time.monotonic()
        result = self.ctl("--personnel=127.0.0.1:1", "employees", "list")
        self.assertExit(result, 3)
        self.assertIn("UNAVAILABLE", result.stderr)
        self.assertIn("127.0.0.1:1", result.stderr)
        self.assertLess(time.monotonic() - started, 20)  # bounded retries
        env = dict(self.env, LADDER_CAREERPATH_ADDRESS="127.0.0.1:1")
        self.assertExit(self.ctl("report", "distribution", "衢州分公司", env=env), 3)

    def test_02b_token_is_required_and_never_printed(self):
        no_token = {k: v for k, v in self.env.items() if k != "LADDER_TOKEN"}
        result = self.ctl("orgunits", "list", env=no_token)
        self.assertExit(result, 1)
        self.assertIn("UNAUTHENTICATED", result.stderr)

        rogue = mint_token("intruder", key=pki("jwt/rogue/ladder-dev-es256.key"))
        result = self.ctl("orgunits", "list", env=dict(self.env, LADDER_TOKEN=rogue))
        self.assertExit(result, 1)
        self.assertIn("UNAUTHENTICATED", result.stderr)
        self.assertNotIn(rogue, result.stdout + result.stderr)
        signature = rogue.rsplit(".", 1)[1]
        self.assertNotIn(signature, result.stdout + result.stderr)

        # From a file (what scripts use), and a file that holds no token.
        token_file = self.write("token", self.token + "\n")
        result = self.ctl("--token-file", token_file, "orgunits", "list", env=no_token)
        self.assertExit(result, 0)
        bad_file = self.write("bad-token", "not a token " + signature + "\n")
        result = self.ctl("--token-file", bad_file, "orgunits", "list", env=no_token)
        self.assertExit(result, 2)
        self.assertIn("--token-file", result.stderr)
        self.assertNotIn(signature, result.stderr)
        self.assertExit(self.ctl("--token", self.token, "--token-file", token_file, "orgunits", "list"), 2)

        # The servers speak TLS only: a plaintext client does not get through.
        plaintext = {k: v for k, v in no_token.items() if k != "LADDER_TLS_CA"}
        self.assertExit(self.ctl("--deadline=2s", "orgunits", "list", env=plaintext), 3)

    # --- employees import ------------------------------------------------------------------

    GOOD_AND_BAD = (BOM +
                    "工号,姓名,区县,团队,岗位,入职渠道,入职日期,级别,定级日期,初级日期,备注\r\n"
                    "T0001,张三,测试县,测试县一组,客户经理,外部招聘,2023-01-10,中级,2024-03-01,2023-02-20,\r\n"
                    "T0002,\"Smith, John\",Test County,Team A,客户经理,内部招聘,2022-05-04,初级,2022-08-01,,quoted\r\n"
                    "T0003,李四,不存在县,,客户经理,外部招聘,2023-01-10,,,,unknown county\r\n"
                    "T0004,王五,测试县,,客户经理,外部招聘,2023-13-45,,,,bad date\r\n"
                    "T0005,赵六,测试县,,司机,,2023-01-10,,,,bad role\r\n"
                    "T0006,钱七,测试县,,客户服务员,,2021-06-01,,,,\r\n"
                    "T0007,孙八,测试县,,客户经理,外部招聘,2023-01-10,中级,2022-12-01,,level before hire\r\n"
                    ",周九,测试县,,客户经理,外部招聘,2023-01-10,,,,no number\r\n"
                    "T0009,吴十,测试县,不存在组,客户经理,外部招聘,2023-01-10,,,,unknown team\r\n")

    def test_03_import_good_and_bad_rows_then_rerun_changes_nothing(self):
        path = self.write("employees.csv", self.GOOD_AND_BAD)
        before = self.snapshot()
        dry = self.ctl("employees", "import", path, "--dry-run")
        self.assertExit(dry, 2)
        self.assertIn("dry run", dry.stdout)
        self.assertEqual(self.snapshot(), before, "--dry-run changed something")

        result = self.ctl("employees", "import", path)
        self.assertExit(result, 2)  # bad rows: the file needs fixing
        for expected in ("row 4, column 3 (区县): unknown county '不存在县'",
                         "row 5, column 7 (入职日期): '2023-13-45' is not a date",
                         "row 6, column 5 (岗位): '司机' is not a role",
                         "row 8, column 9 (定级日期): 2022-12-01 is before 入职日期 2023-01-10",
                         "row 9, column 1 (工号): is empty",
                         "row 10, column 4 (团队): '不存在组' is not a team of 测试县"):
            self.assertIn(expected, result.stderr)
        self.assertIn("column 11 (备注) is not used", result.stderr)
        # Not a terminal: plain progress lines, no bar redrawn with \r.
        self.assertRegex(result.stderr, r"employees: \d+/\d+ rows")
        self.assertNotIn("\r", result.stderr)

        people = self.by_number()
        for number in ("T0003", "T0004", "T0005", "T0007", "T0009"):
            self.assertNotIn(number, people, "a bad row was written")
        self.assertEqual(people["T0001"].display_name, "张三")
        self.assertEqual(people["T0001"].level, level_pb2.LEVEL_INTERMEDIATE)
        self.assertEqual(people["T0001"].county, self.org_unit("测试县").name)
        self.assertEqual(people["T0002"].display_name, "Smith, John")
        self.assertEqual(people["T0002"].level, level_pb2.LEVEL_JUNIOR)
        self.assertEqual(people["T0006"].role, employee_pb2.ROLE_CUSTOMER_SERVICE_STAFF)
        history = [c for c in self.level_changes() if c.employee == people["T0001"].name]
        self.assertEqual([(c.to_level, c.effective_date.year, c.effective_date.month) for c in history],
                         [(level_pb2.LEVEL_JUNIOR, 2023, 2), (level_pb2.LEVEL_INTERMEDIATE, 2024, 3)])
        self.assertTrue(all(c.actor.endswith("cli-test") for c in history))

        # The same file again changes nothing, and says so.
        after = self.snapshot()
        again = self.ctl("employees", "import", path)
        self.assertExit(again, 2)
        self.assertIn("0 created, 3 already there", again.stdout)
        self.assertEqual(self.snapshot(), after, "a re-run changed something")

    def test_04_interrupted_import_resumes_without_duplicates(self):
        rows = ["工号,姓名,区县,岗位,入职渠道,入职日期,级别,定级日期,初级日期"]
        for i in range(30):
            rows.append("R%04d,测试%d,Test County,客户经理,外部招聘,2021-03-0%d,中级,2023-0%d-15,2021-05-01"
                        % (i, i, 1 + i % 9, 1 + i % 9))
        full = self.write("resume-full.csv", "\n".join(rows) + "\n")
        # A run stopped after the first 12 rows (and one that had only created them).
        self.assertExit(self.ctl("employees", "import", self.write("resume-part.csv", "\n".join(rows[:13]) + "\n")), 0)
        changes_before = len(self.level_changes())
        result = self.ctl("employees", "import", full)
        self.assertExit(result, 0)
        self.assertIn("18 created, 12 already there", result.stdout)
        people = [e for e in self.employees() if e.employee_number.startswith("R")]
        self.assertEqual(len(people), 30)
        self.assertTrue(all(e.level == level_pb2.LEVEL_INTERMEDIATE for e in people))
        # Two steps each (初级, 中级): 18 new people, 36 new changes; none twice.
        self.assertEqual(len(self.level_changes()) - changes_before, 36)
        per_person = {}
        for change in self.level_changes():
            if change.employee in {e.name for e in people}:
                per_person[change.employee] = per_person.get(change.employee, 0) + 1
        self.assertEqual(set(per_person.values()), {2})

    def test_05_senior_cap_is_a_row_refusal(self):
        rows = ["工号,姓名,区县,岗位,入职渠道,入职日期,级别,定级日期"]
        for i in range(5):  # five levelled managers: floor(20% x 5) = 1 senior slot
            rows.append("S%03d,高%d,小县,客户经理,外部招聘,2019-01-01,高级,2024-0%d-01" % (i, i, i + 1))
        path = self.write("seniors.csv", "\n".join(rows) + "\n")
        dry = self.ctl("employees", "import", path, "--dry-run")
        self.assertExit(dry, 1)
        self.assertEqual(dry.stderr.count("would be refused (SENIOR_CAP_REACHED)"), 4)
        result = self.ctl("employees", "import", path)
        self.assertExit(result, 1)  # the file was fine; a rule refused rows
        self.assertEqual(result.stderr.count("SENIOR_CAP_REACHED"), 4)
        for row in (3, 4, 5, 6):  # the earliest promotion (row 2) took the one slot
            self.assertRegex(result.stderr, r"row %d, column 7 \(级别\): FAILED_PRECONDITION \(SENIOR_CAP_REACHED\)" % row)
        county = self.org_unit("小县")
        quota = self.personnel.GetCountyQuota(ps.GetCountyQuotaRequest(name=county.name + "/quota"),
                                              timeout=DEADLINE)
        self.assertEqual(quota.levelled_customer_managers, 5)
        self.assertEqual(quota.senior_cap, 1)
        self.assertEqual([lq.head_count for lq in quota.levels], [0, 4, 1])
        people = self.by_number()
        self.assertEqual(people["S000"].level, level_pb2.LEVEL_SENIOR)  # the earliest date goes first

    def test_06_bad_files(self):
        before = self.snapshot()
        cases = [
            ("missing.csv", "工号,姓名,区县,岗位\nT9001,甲,测试县,客户经理\n", "utf-8",
             "row 1: missing column 入职日期 (hire_date)"),
            ("empty.csv", "", "utf-8", "the file is empty"),
            ("header-only.csv", "工号,姓名,区县,岗位,入职日期\n", "utf-8", "a header but no rows"),
            ("gbk.csv", "工号,姓名,区县,岗位,入职渠道,入职日期\nT9002,张三,测试县,客户经理,外部招聘,2024-01-01\n", "gbk",
             "not UTF-8"),
            ("utf16.csv", "工号,姓名\nT9003,张三\n", "utf-16", "UTF-16"),
            ("quote.csv", "工号,姓名,区县,岗位,入职日期\nT9004,\"张三,测试县,客户经理,2024-01-01\n", "utf-8",
             "never closed"),
        ]
        for name, text, encoding, message in cases:
            with self.subTest(name):
                result = self.ctl("employees", "import", self.write(name, text, encoding))
                self.assertExit(result, 2)
                self.assertIn(message, result.stderr)
                self.assertNotIn("Traceback", result.stderr)
        huge = self.path("huge.csv")
        with open(huge, "wb") as out:
            out.truncate(1 << 30)  # sparse: 1 GiB that takes no disk
        result = self.ctl("employees", "import", huge)
        self.assertExit(result, 2)
        self.assertIn("1.0 GiB", result.stderr)
        result = self.ctl("scores", "import", huge, "--cycle", "2026年第四季度")
        self.assertExit(result, 2)
        os.remove(huge)
        self.assertEqual(self.snapshot(), before, "a bad file changed something")

    # --- scores import -----------------------------------------------------------------------

    def test_07_scores_import_good_bad_and_rerun(self):
        cycle = next(c for c in self.evaluation.ListCycles(es.ListCyclesRequest(page_size=100), timeout=DEADLINE).cycles
                     if c.display_name == "2026年第四季度")
        evaluations = {}
        token = ""
        while True:
            page = self.evaluation.ListEvaluations(es.ListEvaluationsRequest(parent=cycle.name, page_size=1000,
                                                                             page_token=token), timeout=DEADLINE)
            evaluations.update({e.employee: e for e in page.evaluations})
            token = page.next_page_token
            if not token:
                break
        numbers = {e.name: e.employee_number for e in self.employees()}
        pending = [numbers[name] for name, e in sorted(evaluations.items()) if not e.scores][:4]
        self.assertEqual(len(pending), 4)
        text = (BOM + "工号,姓名,业务业绩,客户满意度,服务质量,专业技能\n"
                "%s,甲,88.5,90,91,80\n"
                "%s,乙,101,90,90,90\n"
                "%s,丙,85.55,abc,90,\n"
                "NOPE,丁,90,90,90,90\n"
                "%s,戊,70,71,72,73\n"
                "%s,甲,88.5,90,91,80\n" % (pending[0], pending[1], pending[2], pending[3], pending[0]))
        path = self.write("scores.csv", text)
        dry = self.ctl("scores", "import", path, "--cycle", "2026年第四季度", "--dry-run")
        self.assertExit(dry, 2)
        result = self.ctl("scores", "import", path, "--cycle", cycle.name)
        self.assertExit(result, 2)
        for expected in ("row 3, column 3 (业务业绩): 101 is out of range",
                         "row 4, column 3 (业务业绩): 85.55 has more than one decimal place",
                         "row 4, column 4 (客户满意度): 'abc' is not a score",
                         "row 4, column 6 (专业技能): is empty",
                         "row 5, column 1 (工号): no employee has the number 'NOPE'",
                         "row 7, column 1 (工号): %s is already on row 2" % pending[0]):
            self.assertIn(expected, result.stderr)
        self.assertIn("2 written", result.stdout)
        name_of = {v: k for k, v in numbers.items()}
        first = self.evaluation.GetEvaluation(
            es.GetEvaluationRequest(name="%s/evaluations/%s" % (cycle.name, name_of[pending[0]].split("/")[1])),
            timeout=DEADLINE)
        self.assertEqual([s.score for s in first.scores], [88.5, 90, 91, 80])
        self.assertAlmostEqual(first.composite, 88.5 * .4 + 90 * .25 + 91 * .2 + 80 * .15)
        second = self.evaluation.GetEvaluation(
            es.GetEvaluationRequest(name="%s/evaluations/%s" % (cycle.name, name_of[pending[3]].split("/")[1])),
            timeout=DEADLINE)
        self.assertEqual([s.score for s in second.scores], [70, 71, 72, 73])
        untouched = self.evaluation.GetEvaluation(
            es.GetEvaluationRequest(name="%s/evaluations/%s" % (cycle.name, name_of[pending[1]].split("/")[1])),
            timeout=DEADLINE)
        self.assertEqual(len(untouched.scores), 0, "a bad row was written")
        # Again: nothing is written, no etag moves.
        again = self.ctl("scores", "import", path, "--cycle", "2026年第四季度")
        self.assertExit(again, 2)
        self.assertIn("0 written, 2 unchanged", again.stdout)
        self.assertEqual(self.evaluation.GetEvaluation(es.GetEvaluationRequest(name=first.name),
                                                       timeout=DEADLINE).etag, first.etag)

    # --- reports ------------------------------------------------------------------------------

    def report(self, name):
        return self.careerpath.GetDistributionReport(
            cs.GetDistributionReportRequest(org_unit=self.org_unit(name).name), timeout=DEADLINE)

    def test_08_distribution_numbers_are_the_service_report(self):
        report = self.report("衢州分公司")
        self.assertEqual(len(report.counties), 6)
        counts = lambda c: [lc.head_count for lc in c.levels]  # noqa: E731
        # CSV: every number.
        result = self.ctl("report", "distribution", "衢州分公司", "--format", "csv")
        self.assertExit(result, 0)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        self.assertEqual(len(rows), 7)  # six counties and the total
        for county, row in zip(list(report.counties) + [report.total], rows):
            self.assertEqual(row["display_name"], county.display_name)
            self.assertEqual(int(row["levelled"]), county.levelled_customer_managers)
            self.assertEqual([int(row["junior"]), int(row["intermediate"]), int(row["senior"])], counts(county))
            self.assertEqual([int(row["suggested_junior"]), int(row["suggested_intermediate"]),
                              int(row["suggested_senior"])], [lc.suggested_head_count for lc in county.levels])
            self.assertEqual(int(row["senior_cap"]), county.senior_cap)
            self.assertEqual(int(row["free_senior_slots"]), county.free_senior_slots)
            self.assertEqual(row["over_cap"], "true" if county.over_cap else "false")
            self.assertAlmostEqual(float(row["senior_share_percent"]), county.levels[2].share_percent, places=1)
        # JSON is the service's message.
        result = self.ctl("report", "distribution", "衢州分公司", "--format", "json")
        self.assertExit(result, 0)
        data = json.loads(result.stdout)
        self.assertEqual([c["display_name"] for c in data["counties"]], [c.display_name for c in report.counties])
        self.assertEqual(data["total"]["senior_cap"], report.total.senior_cap)
        # The table: each county's line holds its numbers, and the over-cap county is marked.
        result = self.ctl("report", "distribution", "衢州分公司")
        self.assertExit(result, 0)
        lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
        for county in report.counties:
            numbers = [int(n) for n in re.findall(r"(?<![\d.])(\d+)(?![\d.%])", lines[county.display_name])]
            self.assertEqual(numbers[:4], [county.levelled_customer_managers] + counts(county),
                             lines[county.display_name])
            self.assertIn(" %d " % county.senior_cap, lines[county.display_name])
            self.assertEqual("OVER CAP" in lines[county.display_name], county.over_cap)
        self.assertEqual([c.display_name for c in report.counties if c.over_cap], ["龙游县"])
        self.assertEqual(sum(c.free_senior_slots == 0 and not c.over_cap for c in report.counties), 1)

    def test_09_table_columns_line_up_with_mixed_names(self):
        # Chinese and Latin county names in one table: the columns line up by display width.
        result = self.ctl("report", "distribution", "测试分公司")
        self.assertExit(result, 0)
        lines = result.stdout.splitlines()
        header = lines[1]
        rows = [line for line in lines[3:] if line and not set(line) <= {"-"}][:3]
        self.assertEqual([row.split("  ")[0].strip() for row in rows], ["测试县", "Test County", "小县"])

        def cell_at(line, column):
            """The character shown at a display column, or " " past the end."""
            at = 0
            for c in line:
                width = display_width(c)
                if at <= column < at + max(width, 1):
                    return c
                at += width
            return " "

        # Every right-aligned column ends where its title ends, on every row.
        for title in ("N", "初级 30%", "中级 50%", "高级 20%", "suggested 初/中/高", "senior cap", "free", "off by"):
            end = display_width(header[:header.index(title) + len(title)])
            for row in rows:
                self.assertNotEqual(cell_at(row, end - 1), " ", "%r does not end at column %d: %r" % (title, end, row))
                self.assertEqual(cell_at(row, end), " ", "%r overruns column %d: %r" % (title, end, row))
        # And the numbers are there: 测试县 holds T0001 (中级) and 3 others from the imports.
        self.assertRegex(rows[1], r"^Test County +\d+ ")

    def test_10_svg_chart_parses_with_one_group_per_county(self):
        svg_path, html_path = self.path("chart.svg"), self.path("chart.html")
        result = self.ctl("report", "distribution", "衢州分公司", "--svg", svg_path, "--html", html_path)
        self.assertExit(result, 0)
        report = self.report("衢州分公司")
        root = ET.parse(svg_path).getroot()
        ns = {"svg": "http://www.w3.org/2000/svg"}
        groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "county"]
        self.assertEqual([g.get("data-county") for g in groups], [c.display_name for c in report.counties])
        for group, county in zip(groups, report.counties):
            self.assertEqual(int(group.get("data-n")), county.levelled_customer_managers)
            self.assertEqual(int(group.get("data-senior-cap")), county.senior_cap)
            self.assertEqual(group.get("data-over-cap"), "true" if county.over_cap else "false")
            bars = {g.get("class"): g for g in group.findall("svg:g", ns)}
            self.assertEqual(set(bars), {"actual", "suggested"})
            actual = {r.get("data-level"): int(r.get("data-count")) for r in bars["actual"].findall("svg:rect", ns)}
            self.assertEqual([actual.get(k, 0) for k in ("junior", "intermediate", "senior")],
                             [lc.head_count for lc in county.levels])
            suggested = {r.get("data-level"): int(r.get("data-count"))
                         for r in bars["suggested"].findall("svg:rect", ns)}
            self.assertEqual([suggested.get(k, 0) for k in ("junior", "intermediate", "senior")],
                             [lc.suggested_head_count for lc in county.levels])
            caps = [e for e in group.iter() if e.get("class") == "senior-cap"]
            self.assertEqual([int(e.get("data-cap")) for e in caps], [county.senior_cap])
            over = [e for e in group.iter() if e.get("class") == "over-cap"]
            self.assertEqual(len(over), 1 if county.over_cap else 0)
            texts = "".join(group.itertext())
            self.assertIn(county.display_name, texts)
        self.assertIn("衢州分公司", "".join(root.itertext()))
        with open(html_path, encoding="utf-8") as page:
            html = page.read()
        self.assertIn("<svg", html)
        self.assertEqual(html.count("<tr>"), 1 + len(report.counties))

    def test_10b_review_detached_then_followed_to_its_end(self):
        # The demo reviewed Q3 already: a detached review starts an operation and returns;
        # review-status follows it to its end, which makes nothing new.
        result = self.ctl("review", "2026年第三季度", "--detach")
        self.assertExit(result, 0)
        match = re.search(r"operations/\d+", result.stdout)
        self.assertIsNotNone(match, result.stdout)
        result = self.ctl("--progress", "lines", "review-status", match.group(0), "--wait")
        self.assertExit(result, 0)
        self.assertRegex(result.stdout, r"reviewed \d+ participants of 2026年第三季度 .*: 0 cases created, [1-9]\d* there already")
        self.assertIn("participants", result.stderr)  # the progress
        self.assertExit(self.ctl("review-status", "operations/999999"), 1)  # NOT_FOUND

    # --- cases --------------------------------------------------------------------------------

    def test_11_refused_approval_is_1_and_eligibility_explains(self):
        proposed = self.careerpath.ListCases(
            cs.ListCasesRequest(state=1, page_size=1000), timeout=DEADLINE).cases  # STATE_PROPOSED
        self.assertGreater(len(proposed), 10, "the demo review proposed no cases")
        demotion = next(c for c in proposed if c.kind == 2)
        result = self.ctl("cases", "reject", demotion.name, "--reason", "复核后暂缓")
        self.assertExit(result, 0)
        self.assertIn("已驳回", result.stdout)
        result = self.ctl("cases", "approve", demotion.name)
        self.assertExit(result, 1)
        self.assertIn("WRONG_CASE_STATE", result.stderr)
        self.assertExit(self.ctl("cases", "approve", "cases/999999"), 1)  # NOT_FOUND

        promotion = next(c for c in proposed if c.kind == 1 and c.to_level == level_pb2.LEVEL_INTERMEDIATE)
        result = self.ctl("cases", "approve", promotion.name)
        self.assertExit(result, 0)
        self.assertIn("已执行", result.stdout)
        employee = self.personnel.GetEmployee(ps.GetEmployeeRequest(name=promotion.employee), timeout=DEADLINE)
        self.assertEqual(employee.level, level_pb2.LEVEL_INTERMEDIATE)
        again = self.ctl("cases", "approve", promotion.name)
        self.assertExit(again, 0)
        self.assertIn("applied already", again.stdout)

        result = self.ctl("eligibility", employee.employee_number)
        self.assertExit(result, 0)
        for word in ("晋升", "降级", "淘汰", "MIN_MONTHS_AT_LEVEL", "requirement", "evidence"):
            self.assertIn(word, result.stdout)
        listed = self.ctl("cases", "list", "--state", "rejected", "--format", "json")
        self.assertExit(listed, 0)
        self.assertIn(demotion.name, [c["name"] for c in json.loads(listed.stdout)])

    def test_12_demo_load_again_changes_nothing(self):
        before = self.snapshot()
        cases = len(self.careerpath.ListCases(cs.ListCasesRequest(page_size=1000), timeout=DEADLINE).cases)
        load = subprocess.run(["bash", os.path.join(ROOT, "scripts", "load-demo.sh")], env=self.env,
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        self.assertEqual(load.returncode, 0, load.stdout + load.stderr)
        self.assertIn("0 cases created", load.stdout)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(len(self.careerpath.ListCases(cs.ListCasesRequest(page_size=1000), timeout=DEADLINE).cases),
                         cases)
        print("demo load took %.1fs" % self.demo_seconds, file=sys.stderr)

    # --- the change feed -----------------------------------------------------------------

    def feed(self):
        """Every change of personnel's feed, oldest first, through the generated stubs."""
        changes, cursor = [], ""
        while True:
            page = self.personnel.ListChanges(ps.ListChangesRequest(cursor=cursor, page_size=1000), timeout=DEADLINE)
            changes.extend(page.changes)
            cursor = page.next_cursor
            if len(page.changes) < 1000:
                return changes

    def test_13_changes_watch_resumes_from_its_cursor_file(self):
        feed = self.feed()
        self.assertGreater(len(feed), 5, "the demo's changes are on the feed")
        cursor_file = self.path("feed.cursor")
        first = self.ctl("changes", "watch", "--cursor-file", cursor_file, "--max-changes", "3", "--format", "json")
        self.assertExit(first, 0)
        second = self.ctl("changes", "watch", "--cursor-file", cursor_file, "--max-changes", "2", "--format", "json")
        self.assertExit(second, 0)
        seen = [json.loads(line)["name"] for line in (first.stdout + second.stdout).splitlines()]
        self.assertEqual(seen, [c.name for c in feed[:5]], "resumed after the third change: none skipped or repeated")
        text = self.ctl("changes", "watch", "--max-changes", "1")
        self.assertExit(text, 0)
        self.assertIn(feed[0].employee, text.stdout)
        self.assertExit(self.ctl("changes", "watch", "--kind", "promoted"), 2)
        bad = self.ctl("changes", "watch", "--cursor", "bm90LWEtY3Vyc29y")  # "not-a-cursor"
        self.assertExit(bad, 2)
        self.assertIn("cursor", bad.stderr)

    def test_14_payroll_export_of_a_month_is_the_level_history(self):
        history = self.level_changes()
        months = {}
        for change in history:
            key = "%04d-%02d" % (change.effective_date.year, change.effective_date.month)
            months[key] = months.get(key, 0) + 1
        month = max(months, key=months.get)
        result = self.ctl("changes", "export", "--month", month, "--format", "csv")
        self.assertExit(result, 0)
        self.assertTrue(result.stdout.startswith("\ufeff"), "CSV UTF-8 with a byte-order mark, as the imports")
        rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
        self.assertEqual(list(rows[0].keys()), ["工号", "姓名", "区县", "原级别", "新级别", "岗级", "生效日期", "决定"])
        numbers = {e.name: e.employee_number for e in self.employees()}
        expected = sorted((numbers[c.employee], "%04d-%02d-%02d" % (c.effective_date.year, c.effective_date.month,
                                                                      c.effective_date.day))
                          for c in history if "%04d-%02d" % (c.effective_date.year, c.effective_date.month) == month)
        self.assertEqual(sorted((r["工号"], r["生效日期"]) for r in rows), expected)
        self.assertExit(self.ctl("changes", "export", "--month", "2026-13"), 2)

    def test_15_python_example_consumer_resumes_from_its_cursor(self):
        expected = [c.name for c in self.feed() if c.HasField("level_change")][:4]
        self.assertEqual(len(expected), 4)
        cursor_file = self.path("example.cursor")
        seen = []
        for count in (3, 1):
            run = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "examples", "follow_changes.py"),
                                  "--personnel", self.servers[0].address, "--cursor-file", cursor_file,
                                  "--max-changes", str(count)], env=self.env, capture_output=True, text=True,
                                 timeout=60, cwd=ROOT)
            self.assertEqual(run.returncode, 0, run.stderr)
            seen.extend(line.split()[0] for line in run.stdout.splitlines())
        self.assertEqual(seen, expected)


if __name__ == "__main__":
    unittest.main(verbosity=2)
