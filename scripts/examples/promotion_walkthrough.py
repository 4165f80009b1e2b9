"""One promotion from cycle review to applied, as HR would do it, against scripts/run.sh.

    export LADDER_TLS_CA=.local/run/pki/ca.crt LADDER_TOKEN="$(cat .local/run/dev-admin.token)"
    /usr/bin/python3 scripts/examples/promotion_walkthrough.py            # look only
    /usr/bin/python3 scripts/examples/promotion_walkthrough.py --approve  # approve one case

Uses Debian's python3-grpcio and the stubs the build generates into build/gen/python.
Each step prints the call it makes, so the same calls can be made from any client. Calls go
over TLS verified with --ca (default $LADDER_TLS_CA) and carry the token of --token-file or
--token (default $LADDER_TOKEN), as scripts/run.sh prints them.
"""

import argparse
import os
import sys
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.environ.get("LADDER_BUILD_DIR", os.path.join(ROOT, "build")),
                                "gen", "python"))

import grpc  # noqa: E402
from ladder.careerpath.v1 import career_case_pb2  # noqa: E402
from ladder.careerpath.v1 import careerpath_service_pb2 as cp  # noqa: E402
from ladder.careerpath.v1 import careerpath_service_pb2_grpc as cp_grpc  # noqa: E402
from ladder.careerpath.v1 import eligibility_pb2  # noqa: E402
from ladder.common.v1 import level_pb2  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2 as ps  # noqa: E402
from ladder.personnel.v1 import personnel_service_pb2_grpc as ps_grpc  # noqa: E402

DEADLINE = 30
Case = career_case_pb2.Case


def open_channel(args, target):
    """TLS verified with the suite's CA, and the bearer token on every call."""
    if args.insecure_plaintext:
        return grpc.insecure_channel(target)
    ca_pem = None
    if args.ca:
        with open(args.ca, "rb") as f:
            ca_pem = f.read()
    credentials = grpc.ssl_channel_credentials(root_certificates=ca_pem)
    token = args.token
    if args.token_file:
        with open(args.token_file) as f:
            token = f.read().strip()
    if token:
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(token))
    return grpc.secure_channel(target, credentials)


def step(text):
    print("\n== " + text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personnel", default="127.0.0.1:50051")
    parser.add_argument("--careerpath", default="127.0.0.1:50053")
    parser.add_argument("--branch", default="orgUnits/1", help="the city branch")
    parser.add_argument("--approve", action="store_true", help="approve the first promotion case")
    parser.add_argument("--ca", default=os.environ.get("LADDER_TLS_CA") or None,
                        help="PEM CA bundle that signed the servers' certificates (default $LADDER_TLS_CA)")
    token = parser.add_mutually_exclusive_group()
    token.add_argument("--token", default=os.environ.get("LADDER_TOKEN") or None,
                       help="bearer token, HR_ADMIN to approve (default $LADDER_TOKEN)")
    token.add_argument("--token-file", help="file holding the bearer token")
    parser.add_argument("--insecure-plaintext", action="store_true",
                        help="no TLS and no token: only for servers started with --insecure_plaintext")
    args = parser.parse_args()
    careerpath = cp_grpc.CareerPathServiceStub(open_channel(args, args.careerpath))
    personnel = ps_grpc.PersonnelServiceStub(open_channel(args, args.personnel))

    step("GetDistributionReport(org_unit=%s): where each county stands" % args.branch)
    report = careerpath.GetDistributionReport(cp.GetDistributionReportRequest(org_unit=args.branch),
                                              timeout=DEADLINE)
    print("%-8s %4s %18s %18s %18s %4s %4s" % ("county", "N", "junior (sugg.)", "intermediate",
                                                "senior", "cap", "free"))
    for county in list(report.counties) + [report.total]:
        cells = ["%4d (%4d)" % (l.head_count, l.suggested_head_count) for l in county.levels]
        print("%-8s %4d %18s %18s %18s %4d %4d%s" % (
            county.display_name, county.levelled_customer_managers, *cells, county.senior_cap,
            county.free_senior_slots, "  over cap" if county.over_cap else ""))

    step("ListCases(kind=KIND_PROMOTION, state=STATE_PROPOSED): what the last review proposed")
    cases = careerpath.ListCases(cp.ListCasesRequest(kind=Case.KIND_PROMOTION,
                                                     state=Case.STATE_PROPOSED, page_size=5),
                                 timeout=DEADLINE).cases
    if not cases:
        print("no proposed promotion: review a finalised cycle first (ReviewCycle)")
        return
    for case in cases:
        print("%s  %s  %s -> %s  in %s" % (case.name, case.employee,
                                           level_pb2.Level.Name(case.from_level),
                                           level_pb2.Level.Name(case.to_level), case.county))
    case = cases[0]

    step("CheckEligibility(employee=%s, target=TARGET_PROMOTION): the rules, with evidence"
         % case.employee)
    eligibility = careerpath.CheckEligibility(cp.CheckEligibilityRequest(
        employee=case.employee, target=eligibility_pb2.TARGET_PROMOTION), timeout=DEADLINE)
    for rule in eligibility.rules:
        print("  [%s] %-20s %s" % ("pass" if rule.passed else "FAIL", rule.rule, rule.evidence))
    print("  eligible: %s (policy %s)" % (eligibility.eligible, eligibility.policy_version))

    if not args.approve:
        print("\nRun again with --approve to approve %s." % case.name)
        return

    step("ApproveCase(name=%s): re-checks, then applies through personnel once" % case.name)
    approved = careerpath.ApproveCase(cp.ApproveCaseRequest(name=case.name,
                                                            request_id=str(uuid.uuid4())),
                                      timeout=DEADLINE)
    print("  state: %s %s" % (Case.State.Name(approved.state), approved.state_reason))
    if approved.state == Case.STATE_WAITING_FOR_SLOT:
        print("  position %d in the county's waitlist" % approved.waitlist_position)

    step("GetEmployee and ListLevelChanges(parent=%s): the record in personnel" % case.employee)
    employee = personnel.GetEmployee(ps.GetEmployeeRequest(name=case.employee), timeout=DEADLINE)
    print("  level %s, post grade %d, since %04d-%02d-%02d" % (
        level_pb2.Level.Name(employee.level), employee.post_grade, employee.level_since.year,
        employee.level_since.month, employee.level_since.day))
    changes = personnel.ListLevelChanges(ps.ListLevelChangesRequest(parent=case.employee),
                                         timeout=DEADLINE).level_changes
    last = changes[-1]
    print("  last change: %s -> %s, decision %s, policy %s, by %s" % (
        level_pb2.Level.Name(last.from_level), level_pb2.Level.Name(last.to_level), last.decision,
        last.policy_version, last.actor))


if __name__ == "__main__":
    main()
