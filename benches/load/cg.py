# The decision service under callgrind: `python3 benches/load/cg.py BIN N [explain]` (from the
# repository root) starts `BIN serve` under valgrind --tool=callgrind with a tokens file, the chained SQLite
# log and --sync full on one worker thread, sends N decisions of decide.lua's actions over one keep-alive
# connection, stops the server and prints its total instructions. Per decision: (total of N2 - total of N1)
# / (N2 - N1), which takes start-up away.
import http.client, json, os, subprocess, sys, tempfile, time, hashlib, shutil, glob, re
bin_, n = sys.argv[1], int(sys.argv[2])
explain = len(sys.argv) > 3 and sys.argv[3] == "explain"
work = tempfile.mkdtemp(prefix="svccg.")
os.mkdir(f"{work}/policies")
for p in glob.glob("policies/*.policy"):
    shutil.copy(p, f"{work}/policies/")
token = "t" * 48
open(f"{work}/tokens.json", "w").write(json.dumps({"tokens": [{"name": "load", "sha256": hashlib.sha256(token.encode()).hexdigest(), "scopes": ["decide"], "rate": "unlimited"}]}))
port = 18600 + os.getpid() % 300
out = f"{work}/cg.out"
srv = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no", bin_, "serve", "--policies", f"{work}/policies",
    "--listen", f"127.0.0.1:{port}", "--tokens", f"{work}/tokens.json", "--log", f"{work}/log.sqlite", "--sync", "full", "--threads", "1"],
    stderr=open(f"{work}/server.log", "w"))
for _ in range(600):
    time.sleep(0.2)
    if "listening on" in open(f"{work}/server.log").read():
        break
lua = open("benches/load/decide.lua").read()
actions = re.findall(r"\[\[(.*?)\]\]", lua)
path = "/v1/decide" if explain else "/v1/decide?explain=false"
c = http.client.HTTPConnection("127.0.0.1", port)
for i in range(n):
    body = '{"policy":"protective-agency","action":' + actions[i % len(actions)] + '}'
    c.request("POST", path, body, {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    r = c.getresponse(); r.read()
    assert r.status == 200, (r.status)
c.close()
srv.terminate(); srv.wait()
total = 0
for f in glob.glob(out + "*"):
    for line in open(f):
        if line.startswith("summary:") or line.startswith("totals:"):
            total = max(total, int(line.split()[1]))
print(total)
shutil.rmtree(work, ignore_errors=True)
