#!/usr/bin/env python3
"""Mutation fuzzing of `quire extract`: corrupts fixtures and corpus files (byte flips,
truncation, edits inside the XML parts, re-zipped) and checks that every run ends with
output or a clean `quire: error:` — never a crash, a hang or a silent failure.

    swift build -c release
    python3 scripts/fuzz_extract.py docx 2000 [SEED]
    python3 scripts/fuzz_extract.py xlsx 2000 [SEED]
    python3 scripts/fuzz_extract.py eml 2000 [SEED]     (messages; mbox files from the corpus too)

Failing inputs are kept in /tmp/quire-fuzz/ and listed; the exit status is 1 if any failed.
"""
import io
import os
import random
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUIRE = os.path.join(ROOT, ".build", "release", "quire")
KIND = sys.argv[1] if len(sys.argv) > 1 else "docx"
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 500
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

docs = os.path.join(ROOT, "TestDocuments")
files = [os.path.join(docs, f) for f in os.listdir(docs) if f.endswith("." + KIND) and "bomb" not in f]
if KIND == "eml":
    mail = os.path.join(docs, "mail")
    files = [os.path.join(mail, f) for f in os.listdir(mail)]
corpus = os.path.join(ROOT, "..", "shared", "corpus")
if os.path.exists(os.path.join(corpus, "MANIFEST.tsv")):
    for line in open(os.path.join(corpus, "MANIFEST.tsv")).read().splitlines()[1:]:
        fields = line.split("\t")
        if fields[1] == KIND or (KIND == "eml" and fields[1] == "mbox"):
            files.append(os.path.join(corpus, fields[0]))
out = "/tmp/quire-fuzz"
os.makedirs(out, exist_ok=True)


def mutate_xml(data):
    zin = zipfile.ZipFile(io.BytesIO(bytes(data)))
    names = zin.namelist()
    targets = [n for n in names if n.endswith((".xml", ".rels"))] or names
    target = random.choice(targets)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for n in names:
            b = zin.read(n)
            if n == target and b:
                b = bytearray(b)
                for _ in range(random.randint(1, 8)):
                    pos = random.randrange(len(b))
                    op = random.random()
                    if op < 0.3:
                        b[pos] = random.choice(b"<>/\"'=&;: abcrtvs0123456789")
                    elif op < 0.6:
                        s = random.randrange(len(b))
                        b[pos:pos] = b[s:s + random.randint(1, 200)]
                    else:
                        s = random.randrange(len(b))
                        del b[s:s + random.randint(1, 200)]
                b = bytes(b)
            zout.writestr(n, b)
    return bytearray(buf.getvalue())


MIME_PIECES = [b"\n--", b"boundary=", b"=?utf-8?B?", b"=?iso-2022-jp?Q?=1B", b"?=", b"Content-Type: multipart/mixed; boundary=x\n",
               b"\n\n", b"Content-Transfer-Encoding: base64\n", b"=\n", b"=ZZ", b"\nFrom x@y Mon Jan 1 00:00:00 2024\n",
               b"Content-Length: 99999999\n", b"filename*0*=utf-8''%", b"\x00", b"\r", b"begin 644 x\n", b"charset=unknown-8bit"]


def mutate_mime(data):
    for _ in range(random.randint(1, 10)):
        pos = random.randrange(len(data) + 1)
        op = random.random()
        if op < 0.4:
            data[pos:pos] = random.choice(MIME_PIECES)
        elif op < 0.7 and data:
            start = random.randrange(len(data))
            data[pos:pos] = data[start:start + random.randint(1, 400)]
        elif data:
            del data[pos:pos + random.randint(1, 400)]
    return data


failures = 0
formats = ["markdown", "json"] + (["csv"] if KIND == "xlsx" else []) + (["text"] if KIND == "eml" else [])
for i in range(COUNT):
    source = random.choice(files)
    data = bytearray(open(source, "rb").read())
    mode = random.choice(["bytes", "xml", "xml", "truncate"])
    try:
        if mode == "bytes":
            for _ in range(random.randint(1, 20)):
                data[random.randrange(len(data))] = random.randrange(256)
        elif mode == "truncate":
            data = data[: random.randrange(1, len(data))]
        elif KIND == "eml":
            data = mutate_mime(data)
        else:
            data = mutate_xml(data)
    except Exception:
        continue
    case = os.path.join(out, f"case{i}.{KIND}")
    open(case, "wb").write(data)
    ok = True
    runs = [["--format", fmt] for fmt in formats] + ([["--threads"]] if KIND == "eml" else [])
    for args in runs:
        try:
            run = subprocess.run([QUIRE, "extract", *args, case], capture_output=True, timeout=30)
        except subprocess.TimeoutExpired:
            print("HANG", case, source, mode)
            ok = False
            break
        if run.returncode not in (0, 1) or (run.returncode == 1 and b"quire: error:" not in run.stderr):
            print("CRASH" if run.returncode not in (0, 1) else "UNCLEAR", run.returncode, case, source, mode, run.stderr[-300:])
            ok = False
            break
    if ok:
        os.remove(case)
    else:
        failures += 1
print(f"{COUNT} cases, {failures} failures")
sys.exit(1 if failures else 0)
