#!/usr/bin/env python3
"""Workloads of many distinct scopes under `conflicts most_specific` (BENCHMARKS.md,
"eleventh session"): writes into DIR, for each N given,

  channels-N.policy  N declared channels, one general clause and N clauses each about
                     {twitter, zI}, alternately allow and deny
  kinds-N.policy     N declared content kinds and N clauses each about one kind
  kinds-N.json       one post listing all N kinds
and channel-post.json / channel-post.jsonl, one post on Twitter.

  python3 benches/scopes.py DIR 1000 4000 16000
  smpolicy eval DIR/channels-16000.policy DIR/channel-post.json
  smpolicy eval DIR/channels-16000.policy --batch DIR/channel-post.jsonl
"""
import json
import os
import sys

HEAD = 'policy "{name}"\n  jurisdiction UK\n  default allow\n  conflicts most_specific\n\nroles consultant\n\n'
ACTOR = {"id": "p", "role": "consultant", "status": "employed"}


def channels(n):
    names = [f"z{i}" for i in range(n)]
    s = HEAD.format(name="Channels") + "channels " + ", ".join(names) + "\n\n"
    s += 'rule general "Posts need a look." {\n  when action = post\n  then deny\n}\n'
    for i, c in enumerate(names):
        effect = "deny" if i % 2 else "allow"
        s += f'rule r{i} "C." {{\n  when action = post and channel in {{twitter, {c}}}\n  then {effect}\n}}\n'
    return s


def kinds(n):
    names = [f"k{i}" for i in range(n)]
    s = HEAD.format(name="Kinds") + "content kinds " + ", ".join(names) + "\n\n"
    for i, k in enumerate(names):
        effect = "deny" if i % 2 else "allow"
        s += f'rule r{i} "K." {{\n  when action = post and content.kind has {k}\n  then {effect}\n}}\n'
    post = {"action": "post", "channel": "twitter", "at": "2026-03-01T10:00:00Z", "actor": ACTOR,
            "content": {"kind": names, "confidential": False}}
    return s, post


def main():
    out, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
    os.makedirs(out, exist_ok=True)
    post = {"action": "post", "channel": "twitter", "at": "2026-03-01T10:00:00Z", "actor": ACTOR,
            "content": {"kind": ["industry"], "confidential": False}}
    with open(os.path.join(out, "channel-post.json"), "w") as f:
        json.dump(post, f)
    with open(os.path.join(out, "channel-post.jsonl"), "w") as f:
        f.write(json.dumps(post) + "\n")
    for n in sizes:
        with open(os.path.join(out, f"channels-{n}.policy"), "w") as f:
            f.write(channels(n))
        text, many = kinds(n)
        with open(os.path.join(out, f"kinds-{n}.policy"), "w") as f:
            f.write(text)
        with open(os.path.join(out, f"kinds-{n}.json"), "w") as f:
            json.dump(many, f)


if __name__ == "__main__":
    main()
