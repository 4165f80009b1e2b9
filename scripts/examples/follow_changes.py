#!/usr/bin/python3
"""Follows personnel's change feed as a payroll system would: every change once, resumable.

    /usr/bin/python3 scripts/examples/follow_changes.py --personnel=127.0.0.1:50051 \
        --ca=.local/run/pki/ca.crt --token-file=.local/run/dev-admin.token \
        --cursor-file=payroll.cursor

It calls WatchChanges from the cursor saved in --cursor-file (none: from the oldest change
kept), prints each change that matters to pay (a level, a transfer, a role change, the end of
employment) as one line, and saves the cursor after every message, so a restart, a dropped
connection or a replica going away resumes exactly after the last change handled: none is
skipped and none comes twice. A real consumer would apply the change to its own records in
the same step as saving the cursor. A cursor older than the feed keeps (CURSOR_EXPIRED) means
the consumer was away for longer than the retention period: it must read the current state
(ListEmployees) and start again without a cursor.

In production a pay system calls with a token of role PAYROLL (docs/security.md), which may
read this feed and nothing else. Needs Debian's python3-grpcio and python3-protobuf and the
stubs the build generates under $LADDER_BUILD_DIR/gen/python (default <repo>/build/gen/python).
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PAY_KINDS = ("KIND_LEVEL_CHANGED", "KIND_EMPLOYEE_TRANSFERRED", "KIND_ROLE_CHANGED", "KIND_EMPLOYMENT_ENDED")


def parse_args() -> argparse.Namespace:
    build_dir = Path(os.environ.get("LADDER_BUILD_DIR") or REPO_ROOT / "build")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personnel", default="127.0.0.1:50051", help="the personnel service (default %(default)s)")
    parser.add_argument("--gen-dir", type=Path, default=build_dir / "gen" / "python",
                        help="the generated Python stubs (default %(default)s)")
    parser.add_argument("--ca", type=Path, default=os.environ.get("LADDER_TLS_CA") or None,
                        help="PEM CA that signed the servers' certificates (default $LADDER_TLS_CA)")
    token = parser.add_mutually_exclusive_group()
    token.add_argument("--token", default=os.environ.get("LADDER_TOKEN") or None,
                       help="bearer token (default $LADDER_TOKEN)")
    token.add_argument("--token-file", type=Path, help="file holding the bearer token")
    parser.add_argument("--cursor-file", type=Path, required=True, help="where the cursor is kept between runs")
    parser.add_argument("--max-changes", type=int, default=0, help="stop after this many changes (0: follow on)")
    return parser.parse_args()


def save_cursor(path: Path, cursor: str) -> None:
    """Written whole or not at all: a crash leaves the previous cursor, never half of one."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(cursor + "\n")
    os.replace(temporary, path)


def describe(change, pb) -> str:
    employee = change.employee_after
    line = f"{change.name} {pb.Change.Kind.Name(change.kind)[5:].lower()} {employee.employee_number} " \
           f"{employee.display_name} post_grade={employee.post_grade}"
    if change.HasField("level_change"):
        level = change.level_change
        date = level.effective_date
        line += f" level {level.from_level}->{level.to_level} from {date.year:04d}-{date.month:02d}-{date.day:02d}"
        if level.decision:
            line += f" decision={level.decision}"
    return line


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(args.gen_dir))
    import grpc
    from ladder.personnel.v1 import change_pb2
    from ladder.personnel.v1 import personnel_service_pb2 as pb
    from ladder.personnel.v1 import personnel_service_pb2_grpc as pb_grpc

    credentials = grpc.ssl_channel_credentials(root_certificates=args.ca.read_bytes() if args.ca else None)
    token = args.token_file.read_text().strip() if args.token_file else args.token
    if token:
        credentials = grpc.composite_channel_credentials(credentials, grpc.access_token_call_credentials(token))
    stub = pb_grpc.PersonnelServiceStub(grpc.secure_channel(args.personnel, credentials))

    cursor = args.cursor_file.read_text().strip() if args.cursor_file.exists() else ""
    kinds = [change_pb2.Change.Kind.Value(kind) for kind in PAY_KINDS]
    handled, pause = 0, 0.25
    while True:
        try:
            for message in stub.WatchChanges(pb.WatchChangesRequest(cursor=cursor, kinds=kinds)):
                pause = 0.25
                for change in message.changes:
                    print(describe(change, change_pb2), flush=True)
                    handled += 1
                    if args.max_changes and handled >= args.max_changes:
                        save_cursor(args.cursor_file, change.cursor)
                        return 0
                cursor = message.cursor
                save_cursor(args.cursor_file, cursor)
        except grpc.RpcError as e:
            if e.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                print(f"error: {e.code().name}: {e.details()}", file=sys.stderr)
                return 1
            # A replica went away or is restarting: watch again from the saved cursor.
            print(f"(the feed is unavailable: {e.details()}; again in {pause:.2f} s)", file=sys.stderr)
            time.sleep(pause)
            pause = min(pause * 2, 10.0)


if __name__ == "__main__":
    sys.exit(main())
