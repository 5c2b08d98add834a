#!/usr/bin/env python3
"""Growth of `smpolicy check` and `smpolicy eval` with the number of clauses.

usage: growth.py SMPOLICY [--sizes 1000,10000,100000] [--timeout SECONDS] [--kinds limit,named-limit,exception,rule,...]

For each kind of clause and each size, writes a policy, then runs
`SMPOLICY check FILE`, `SMPOLICY eval FILE ACTION` and `SMPOLICY eval FILE --batch
ACTIONS` (the compiled form, on the same action as one line) as whole processes and
prints one markdown table: wall time, CPU time, peak memory (the child's
ru_maxrss), exit code, and the growth factor of the wall time against the
previous size (×10 clauses: ~10 is linear, ~100 quadratic). A run that
exceeds the timeout is killed and reported as such; larger sizes of the same
kind and command are then not run.

Kinds (the issue's three):
  limit        one posting section of N unnamed `limit K posts per day` clauses
  named-limit  the same, each named (`lI: limit K posts per day`)
  exception    a rule e0 and a chain `exception eI to eI-1` (outcomes alternate)
  rule         N plain rules, the benches' templated shapes in rotation
And two found since (twelfth session):
  exception-fan  a rule and N exceptions to it, each comparing a counter with a number of its own
  channel        N rules, each about a channel of its own
And one found since (fourteenth session):
  exception-mixed  a rule and N exceptions to it, outcomes alternating, told apart by one fact
  exception-tiers  the same, told apart by ranges of one counter
  same-set         N rules with one and the same condition, outcomes alternating
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HEADER = 'policy "growth"\n  timezone "Europe/London"\n  default allow\n\nroles consultant, manager\n\n'
CHANNELS = ["twitter", "linkedin", "facebook", "blog"]
KINDS = ["job_ad", "industry", "brand", "opinion", "pay_discussion"]
RELS = ["client", "candidate", "colleague", "prospect"]
STATUSES = ["employed", "on_notice", "garden_leave", "departed"]


def limit_policy(n):
    # Unnamed, as users write them: each gets a name generated from its structure.
    body = "".join(f"  limit {i + 1} posts per day\n" for i in range(n))
    return HEADER + "posting on twitter {\n" + body + "}\n"


def named_limit_policy(n):
    body = "".join(f"  l{i}: limit {i + 1} posts per day\n" for i in range(n))
    return HEADER + "posting on twitter {\n" + body + "}\n"


def exception_policy(n):
    out = [HEADER, "rule e0 {\n  when action = post\n  then deny\n}\n\n"]
    for i in range(1, n):
        outcome = "allow" if i % 2 else "deny"
        out.append(f"exception e{i} to e{i - 1} {{\n  when action = post\n  then {outcome}\n}}\n\n")
    return "".join(out)


def rule_policy(n):
    # The same three shapes as benches/src/lib.rs `rules(n)`.
    out = [HEADER]
    for i in range(n):
        if i % 3 == 0:
            body = (f"when action = post and channel = {CHANNELS[i % 4]} and content.kind has {KINDS[(i // 3) % 5]}"
                    f" and history.posts_today >= {3 + (i * 7) % 20}\n  then deny")
        elif i % 3 == 1:
            body = (f"when action = connect and target.relationship = {RELS[i % 4]} and actor.status = {STATUSES[(i // 4) % 4]}"
                    "\n  then require approval from manager")
        else:
            body = (f"when action = solicit and actor.status = departed and target.relationship = {RELS[(i // 2) % 4]}"
                    f" and at <= actor.departed_on + {1 + (i * 5) % 12} months\n  then deny")
        out.append(f"rule r{i} {{\n  {body}\n}}\n\n")
    return "".join(out)


def exceptions_to_base(n, when, then=None):
    # A rule `base` and N exceptions to it: exception I's condition `when(I)`, its outcome `then(I)`.
    out = [HEADER, "rule base {\n  when action = post\n  then deny\n}\n\n"]
    for i in range(n):
        outcome = f"  then {then(i)}\n" if then else ""
        out.append(f"exception e{i} to base {{\n  when {when(i)}\n{outcome}}}\n\n")
    return "".join(out)


def alternating(i):
    return "allow" if i % 2 else "require approval from manager"


def exception_fan_policy(n):
    return exceptions_to_base(n, lambda i: f"channel != linkedin and history.posts_today = {i}")


def exception_mixed_policy(n):
    # Exceptions to one clause with different outcomes, told apart by one fact: no two can both
    # apply, so none is ambiguous; `check` tried every two of them (quadratic) until the 14th session.
    return exceptions_to_base(n, lambda i: f"channel != linkedin and history.posts_today = {i}", alternating)


def exception_tiers_policy(n):
    # The same, told apart by ranges of one counter (tiers): quadratic in `check` until the 14th session.
    return exceptions_to_base(
        n, lambda i: f"history.posts_this_week >= {10 * i} and history.posts_this_week < {10 * i + 10}", alternating)


def same_set_policy(n):
    # Rules with one condition, outcomes alternating: each approval is shadowed by the first deny.
    # `check` read every rule sharing the set for each of them (quadratic) until the 14th session.
    out = [HEADER]
    for i in range(n):
        outcome = "deny" if i % 2 else "require approval from manager"
        out.append(f"rule r{i} {{\n  when action = post and channel = twitter\n  then {outcome}\n}}\n\n")
    return "".join(out)


def channel_policy(n):
    out = [HEADER, "channels " + ", ".join(f"z{i}" for i in range(n)) + "\n\n"]
    for i in range(n):
        outcome = "deny" if i % 2 else "require approval from manager"
        out.append(f"rule r{i} {{\n  when action = post and channel in {{twitter, z{i}}}\n  then {outcome}\n}}\n\n")
    return "".join(out)


KIND_FNS = {
    "limit": limit_policy,
    "named-limit": named_limit_policy,
    "exception": exception_policy,
    "rule": rule_policy,
    "exception-fan": exception_fan_policy,
    "exception-mixed": exception_mixed_policy,
    "exception-tiers": exception_tiers_policy,
    "same-set": same_set_policy,
    "channel": channel_policy,
}

ACTION = {
    "action": "post",
    "at": "2026-01-01T09:00:00Z",
    "actor": {"id": "a", "role": "consultant", "status": "employed"},
    "channel": "twitter",
    "content": {"kind": ["industry"]},
    "history": {"posts_today": 5, "posts_this_week": 20},
}


def run(cmd, timeout):
    """(wall s, cpu s, max RSS MB, exit code or None when killed)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            wall = time.perf_counter() - start
            p.returncode = os.waitstatus_to_exitcode(status)
            return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, p.returncode
        if time.perf_counter() - start > timeout:
            os.kill(p.pid, signal.SIGKILL)
            _, _, ru = os.wait4(p.pid, 0)
            return time.perf_counter() - start, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, None
        time.sleep(0.01)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    binary = args[0]
    sizes = [1000, 10000, 100000]
    timeout = 120.0
    kinds = list(KIND_FNS)
    i = 1
    while i < len(args):
        if args[i] == "--sizes":
            sizes = [int(x) for x in args[i + 1].split(",")]
        elif args[i] == "--timeout":
            timeout = float(args[i + 1])
        elif args[i] == "--kinds":
            kinds = args[i + 1].split(",")
            for k in kinds:
                if k not in KIND_FNS:
                    sys.exit(f"unknown kind {k}; known: {', '.join(KIND_FNS)}")
        else:
            sys.exit(f"unknown argument {args[i]}\n{__doc__}")
        i += 2

    print(f"binary: {binary}; timeout {timeout:.0f} s per run\n")
    print("| clauses | kind | file MB | command | wall s | CPU s | max RSS MB | exit | × previous size |")
    print("| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        action = os.path.join(tmp, "action.json")
        with open(action, "w") as f:
            json.dump(ACTION, f)
        lines = os.path.join(tmp, "actions.jsonl")
        with open(lines, "w") as f:
            f.write(json.dumps(ACTION) + "\n")
        for kind in kinds:
            previous = {}
            gave_up = set()
            for n in sizes:
                path = os.path.join(tmp, f"{kind}-{n}.policy")
                text = KIND_FNS[kind](n)
                with open(path, "w") as f:
                    f.write(text)
                mb = len(text.encode()) / 1e6
                for command, cmd in [
                    ("check", [binary, "check", path]),
                    ("eval", [binary, "eval", path, action]),
                    ("batch", [binary, "eval", path, "--batch", lines]),
                ]:
                    if command in gave_up:
                        print(f"| {n:,} | {kind} | {mb:.1f} | {command} | not run | | | | |")
                        continue
                    wall, cpu, rss, code = run(cmd, timeout)
                    if code is None:
                        gave_up.add(command)
                        print(f"| {n:,} | {kind} | {mb:.1f} | {command} | > {timeout:.0f} (killed) | {cpu:.2f} | {rss:.0f} | killed | |")
                        continue
                    growth = f"{wall / previous[command]:.1f}" if command in previous else ""
                    previous[command] = wall
                    print(f"| {n:,} | {kind} | {mb:.1f} | {command} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {code} | {growth} |",
                          flush=True)
                os.remove(path)


if __name__ == "__main__":
    main()
