#!/usr/bin/python3
"""Lists every county with its level quota, as the personnel service reports it.

A small, complete example of calling Ladder from Python:

    /usr/bin/python3 scripts/examples/list_counties.py [--personnel=127.0.0.1:50051] \
        --ca=.local/run/pki/ca.crt --token-file=.local/run/dev-admin.token

The services speak TLS and answer only callers with a token: --ca is the CA that signed
their certificates (default $LADDER_TLS_CA), the token comes from --token-file or --token
(default $LADDER_TOKEN) and goes with every call as `authorization: Bearer <token>`.
scripts/run.sh prints both for the development suite.

It needs only Debian's python3-grpcio and python3-protobuf, and the Python stubs that the
build generates under $LADDER_BUILD_DIR/gen/python (default <repo>/build/gen/python).
Start the suite first with scripts/run.sh.
"""

import argparse
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Chinese names as HR knows the levels (POLICY.md section 3).
LEVEL_LABELS = {
    "LEVEL_JUNIOR": "junior 初级",
    "LEVEL_INTERMEDIATE": "intermediate 中级",
    "LEVEL_SENIOR": "senior 高级",
}


def default_gen_dir() -> Path:
    build_dir = os.environ.get("LADDER_BUILD_DIR") or str(REPO_ROOT / "build")
    return Path(build_dir) / "gen" / "python"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personnel", default="127.0.0.1:50051",
                        help="address of the personnel service (default %(default)s)")
    parser.add_argument("--gen-dir", type=Path, default=default_gen_dir(),
                        help="directory of the generated Python stubs (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds allowed for each call (default %(default)s)")
    parser.add_argument("--ca", type=Path, default=os.environ.get("LADDER_TLS_CA") or None,
                        help="PEM CA bundle that signed the servers' certificates "
                             "(default $LADDER_TLS_CA; none: the system's roots)")
    token = parser.add_mutually_exclusive_group()
    token.add_argument("--token", default=os.environ.get("LADDER_TOKEN") or None,
                       help="bearer token (default $LADDER_TOKEN)")
    token.add_argument("--token-file", type=Path, help="file holding the bearer token")
    parser.add_argument("--insecure-plaintext", action="store_true",
                        help="no TLS and no token: only for servers started with --insecure_plaintext")
    return parser.parse_args()


def open_channel(grpc, args):
    """A channel as the servers require it: TLS, and the token on every call."""
    if args.insecure_plaintext:
        return grpc.insecure_channel(args.personnel)
    ca_pem = args.ca.read_bytes() if args.ca else None
    credentials = grpc.ssl_channel_credentials(root_certificates=ca_pem)
    token = args.token_file.read_text().strip() if args.token_file else args.token
    if token:
        # grpc sends call credentials over a secure channel only.
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(token))
    return grpc.secure_channel(args.personnel, credentials)


def main() -> int:
    args = parse_args()

    # The generated modules are plain directories without __init__.py; Python 3 imports
    # them as namespace packages. `google` is a namespace package in Debian's protobuf
    # too, so google.type (generated here) and google.protobuf (installed) both resolve.
    if not args.gen_dir.is_dir():
        print(f"error: no generated Python stubs in {args.gen_dir}; build first "
              "(scripts/run.sh does) or pass --gen-dir", file=sys.stderr)
        return 2
    sys.path.insert(0, str(args.gen_dir))
    try:
        import grpc
        from ladder.common.v1 import level_pb2
        from ladder.personnel.v1 import org_unit_pb2
        from ladder.personnel.v1 import personnel_service_pb2 as pb
        from ladder.personnel.v1 import personnel_service_pb2_grpc as pb_grpc
    except ImportError as e:
        print(f"error: cannot import the stubs from {args.gen_dir}: {e}\n"
              "(needs Debian's python3-grpcio and python3-protobuf; run with /usr/bin/python3)",
              file=sys.stderr)
        return 2

    try:
        channel = open_channel(grpc, args)
    except OSError as e:
        print(f"error: {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    with channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=args.timeout)
        except grpc.FutureTimeoutError:
            print(f"error: cannot reach the personnel service at {args.personnel} "
                  "(is scripts/run.sh running, and --ca the CA that signed its certificate?)",
                  file=sys.stderr)
            return 1
        stub = pb_grpc.PersonnelServiceStub(channel)

        try:
            # Every List call is paginated: follow next_page_token until it is empty.
            counties = []
            page_token = ""
            while True:
                response = stub.ListOrgUnits(
                    pb.ListOrgUnitsRequest(kind=org_unit_pb2.OrgUnit.KIND_COUNTY,
                                           page_token=page_token),
                    timeout=args.timeout)
                counties.extend(response.org_units)
                page_token = response.next_page_token
                if not page_token:
                    break

            if not counties:
                print("No counties yet: scripts/run.sh loads the demo data on its first run.")
                return 0

            for county in counties:
                quota = stub.GetCountyQuota(
                    pb.GetCountyQuotaRequest(name=f"{county.name}/quota"),
                    timeout=args.timeout)
                print_quota(county, quota, level_pb2)
        except grpc.RpcError as e:
            print(f"error: {e.code().name}: {e.details()}", file=sys.stderr)
            if e.code() == grpc.StatusCode.UNAUTHENTICATED:
                print("(give a token: --token-file or $LADDER_TOKEN; scripts/run.sh prints one)",
                      file=sys.stderr)
            return 1
    return 0


def print_quota(county, quota, level_pb2) -> None:
    print(f"{county.display_name} ({county.name}), policy {quota.policy_version or '?'}")
    print(f"  N (levelled customer managers): {quota.levelled_customer_managers}"
          f"   on trial: {quota.on_trial}   awaiting level: {quota.awaiting_level}")
    for lq in quota.levels:
        name = level_pb2.Level.Name(lq.level)
        label = LEVEL_LABELS.get(name, name)
        print(f"  {label}: {lq.head_count} held, {lq.suggested_head_count} suggested "
              f"({lq.suggested_share_percent}%)")
    print(f"  senior cap: {quota.senior_cap}   free senior slots: {quota.free_senior_slots}"
          f"   over cap: {'YES' if quota.over_cap else 'no'}")
    print()


if __name__ == "__main__":
    sys.exit(main())
