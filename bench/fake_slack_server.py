"""The test harness's fake Slack Web API, in a process of its own.

In its own process so that the fake's work (it validates every view and message with slack_sdk's models) does not
compete for the benchmark client's interpreter lock and so inflate the latencies the client measures.

Controlled through stdin, one command a line, each answered with one line on stdout:
    delay SECONDS   every Web API call answers after this delay
    count           how many calls it has answered so far
    calls           per method counts, as JSON
    publishes       every views.publish so far, as JSON [user_id, time.time()] pairs
    updates         every chat.update so far, as JSON [ts, time.time()] pairs
    quit
"""
from __future__ import annotations

import json
import sys
from collections import Counter

from tests.harness.fake_slack import FakeSlack


def configure(fake: FakeSlack, people: dict) -> None:
    for user_id, name in people["users"].items():
        fake.add_user(user_id, name, real_name=name)
    for group_id, group in people["usergroups"].items():
        fake.add_usergroup(group_id, group["handle"], group["users"])


def main() -> int:
    people = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"users": {}, "usergroups": {}}
    fake = FakeSlack()
    try:
        configure(fake, people)
        print(fake.url, flush=True)
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "delay":
                fake.delay_seconds = float(argument)
                print("ok", flush=True)
            elif command == "count":
                print(len(fake.calls()), flush=True)
            elif command == "calls":
                print(json.dumps(Counter(c.method for c in fake.calls())), flush=True)
            elif command == "publishes":
                print(json.dumps([[c.args.get("user_id"), c.timestamp] for c in fake.calls("views.publish")]),
                      flush=True)
            elif command == "updates":
                print(json.dumps([[c.args.get("ts"), c.timestamp] for c in fake.calls("chat.update")]), flush=True)
            elif command == "quit":
                break
            else:
                print(f"error unknown command {command!r}", flush=True)
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
