#!/usr/bin/env python3
"""Single-bit flips at random places of an index's files, and what searches make of each.

    python3 docs/scripts/flips.py GOVSEARCH INDEX KINDS N SEED

KINDS is a comma-separated list of file extensions (store,fast,bgram). Each case copies
INDEX, flips one bit of one file of those kinds, and runs a listing of every article and six
queries. A case is an "error" when a command exits 2, "same" when every answer equals the
clean index's, "other" otherwise (then `check` is run on it too). The index itself is never
written.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

govsearch, clean, kinds, n, seed = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4]), int(sys.argv[5])
random.seed(seed)
QUERIES = ["十八大", "第七十号", "经济", "会见 总统", "乡村振兴", "航天"]


def answers(index):
    commands = [["search", "*", "--all-copies", "--limit", "1000000", "--sort", "date"]]
    commands += [["search", q, "--limit", "20"] for q in QUERIES]
    out = []
    for args in commands:
        run = subprocess.run([govsearch, "--index", index, *args, "--json"], capture_output=True)
        out.append((run.returncode, run.stdout))
    return out


base = answers(clean)
files = sorted(f for f in os.listdir(clean) if f.rsplit(".", 1)[-1] in kinds)
tally = {"error": 0, "same": 0, "other": 0}
with tempfile.TemporaryDirectory() as scratch:
    for _ in range(n):
        name = random.choice(files)
        work = os.path.join(scratch, "index")
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(clean, work)
        path = os.path.join(work, name)
        data = bytearray(open(path, "rb").read())
        at = random.randrange(len(data))
        data[at] ^= 1 << random.randrange(8)
        open(path, "wb").write(data)
        got = answers(work)
        if any(code == 2 for code, _ in got):
            tally["error"] += 1
        elif got == base:
            tally["same"] += 1
        else:
            tally["other"] += 1
            check = subprocess.run([govsearch, "--index", work, "check"], capture_output=True).returncode
            print(f"other: {name} byte {at}, check exits {check}")
print(",".join(kinds), tally)
