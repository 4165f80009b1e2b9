"""The personnel service as a Python client sees it.

Uses only Debian's python3-grpcio and python3-protobuf and stubs generated from proto/ by
protoc and grpc_python_plugin (build/gen/python), and runs the real personnel_server
binary against the test MariaDB, so it checks the contract from outside the C++ code:
creating and reading resources, paging to the end, health, and an error whose code and
reason a client can branch on. The server runs as deployed, with TLS and token checks on;
the client trusts the test CA and sends a token minted by ladder_token, as the README shows.

Run through ctest (scripts/test.sh); needs LADDER_TEST_MYSQL_SOCKET, LADDER_TEST_PKI_DIR
(scripts/lib/dev-pki.sh), LADDER_BUILD_DIR and LADDER_TOKEN_TOOL (the ladder_token binary).
"""

import importlib.util
import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support", "python"))
from ladder_servers import BUILD_DIR, Server, mint_token, pki, secure_channel  # noqa: E402

sys.path.insert(0, os.path.join(BUILD_DIR, "gen", "python"))

import grpc  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from google.type import date_pb2  # noqa: E402
from ladder.common.v1 import level_pb2  # noqa: E402
from ladder.personnel.v1 import employee_pb2, org_unit_pb2  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2 as ps  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2_grpc as ps_grpc  # noqa: E402

DEADLINE = 10


def load_health_messages():
    """grpc.health.v1 messages, generated from proto/grpc/health/v1/health.proto.

    Their package path starts with "grpc", which the grpcio package owns, so the module is
    loaded from its file rather than imported by name.
    """
    path = os.path.join(BUILD_DIR, "gen", "python", "grpc", "health", "v1", "health_pb2.py")
    spec = importlib.util.spec_from_file_location("ladder_health_pb2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


health_pb2 = load_health_messages()


def error_details(error):
    """ErrorInfo reason and BadRequest field from a failed call's rich status."""
    trailers = dict(error.trailing_metadata() or ())
    status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    reason, field = "", ""
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            field = bad.field_violations[0].field
    return reason, field


class PersonnelClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("personnel", database_prefix="ladder_t_python")
        cls.address = cls.server.address
        cls.channel = secure_channel(cls.address, mint_token("python-client-test"))
        cls.stub = ps_grpc.PersonnelServiceStub(cls.channel)
        cls.health_check = cls.channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        # SIGTERM: the server drains and exits cleanly.
        assert cls.server.stop() == 0
        cls.server.drop_database()

    def county(self):
        city = self.stub.CreateOrgUnit(ps.CreateOrgUnitRequest(
            org_unit=org_unit_pb2.OrgUnit(display_name="衢州-" + uuid.uuid4().hex[:8],
                                          kind=org_unit_pb2.OrgUnit.KIND_CITY_BRANCH),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)
        return self.stub.CreateOrgUnit(ps.CreateOrgUnitRequest(
            org_unit=org_unit_pb2.OrgUnit(display_name="龙游县", kind=org_unit_pb2.OrgUnit.KIND_COUNTY,
                                          parent=city.name),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)

    def employee(self, county, number):
        return self.stub.CreateEmployee(ps.CreateEmployeeRequest(
            employee=employee_pb2.Employee(
                employee_number=number, display_name="张三", county=county.name,
                role=employee_pb2.ROLE_CUSTOMER_MANAGER,
                entry_channel=employee_pb2.ENTRY_CHANNEL_EXTERNAL_RECRUITMENT,
                hire_date=date_pb2.Date(year=2021, month=5, day=10)),
            request_id=str(uuid.uuid4())), timeout=DEADLINE)

    def test_health_is_serving(self):
        # The first database probe runs just after the port opens: allow it a moment.
        deadline = time.monotonic() + DEADLINE
        while True:
            response = self.health_check(
                health_pb2.HealthCheckRequest(service="ladder.personnel.v1.PersonnelService"),
                timeout=DEADLINE, wait_for_ready=True)
            if response.status == health_pb2.HealthCheckResponse.SERVING or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(response.status, health_pb2.HealthCheckResponse.SERVING)

    def test_a_call_without_a_valid_token_is_unauthenticated(self):
        rogue = mint_token("intruder", key=pki("jwt/rogue/ladder-dev-es256.key"))
        for token in ("", rogue):
            with secure_channel(self.address, token) as channel:
                stub = ps_grpc.PersonnelServiceStub(channel)
                with self.assertRaises(grpc.RpcError) as raised:
                    stub.ListOrgUnits(ps.ListOrgUnitsRequest(), timeout=DEADLINE)
                self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAUTHENTICATED,
                                 raised.exception.details())

    def test_create_and_read_back(self):
        county = self.county()
        created = self.employee(county, "PY" + uuid.uuid4().hex[:8])
        self.assertEqual(created.status, employee_pb2.EMPLOYMENT_STATUS_AWAITING_LEVEL)
        read = self.stub.GetEmployee(ps.GetEmployeeRequest(name=created.name), timeout=DEADLINE)
        self.assertEqual(read, created)
        self.assertEqual(read.display_name, "张三")
        self.assertEqual(read.county, county.name)

    def test_list_pages_to_the_end(self):
        county = self.county()
        names = {self.employee(county, "PG%d%s" % (i, uuid.uuid4().hex[:6])).name for i in range(7)}
        seen, token, pages = [], "", 0
        while True:
            page = self.stub.ListEmployees(ps.ListEmployeesRequest(
                county=county.name, page_size=3, page_token=token), timeout=DEADLINE)
            seen.extend(e.name for e in page.employees)
            pages += 1
            token = page.next_page_token
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(set(seen), names)

    def test_cap_refusal_can_be_branched_on(self):
        county = self.county()
        manager = self.employee(county, "CAP" + uuid.uuid4().hex[:8])
        # One levelled manager: floor(20% × 1) = 0 senior slots.
        with self.assertRaises(grpc.RpcError) as raised:
            self.stub.ChangeLevel(ps.ChangeLevelRequest(
                name=manager.name, level=level_pb2.LEVEL_SENIOR, reason="try",
                request_id=str(uuid.uuid4())), timeout=DEADLINE)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(error_details(raised.exception), ("SENIOR_CAP_REACHED", ""))

    def test_bad_input_names_the_field(self):
        with self.assertRaises(grpc.RpcError) as raised:
            self.stub.CreateEmployee(ps.CreateEmployeeRequest(
                employee=employee_pb2.Employee(employee_number="", display_name="x")),
                timeout=DEADLINE)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(error_details(raised.exception),
                         ("INVALID_FIELD", "employee.employee_number"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
