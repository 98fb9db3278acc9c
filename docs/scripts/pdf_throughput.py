#!/usr/bin/env python3
"""PDF attachments made from a corpus of text releases, and how fast govsearch reads them.

    python3 docs/scripts/pdf_throughput.py GOVSEARCH CORPUS FILES PER_FILE

Takes the first FILES * PER_FILE `.txt` files of CORPUS (sorted), writes each run of
PER_FILE of them as one HTML page, prints each page to PDF with Chromium (headless, the
WenQuanYi Zen Hei font), then indexes the PDFs into a new index three times and prints the
PDF megabytes, the text megabytes, the best time, and both rates. It also checks that the
text read from the first PDF is the text it was made from, whitespace aside. Nothing is
written outside a temporary folder.
"""
import glob
import html
import json
import os
import subprocess
import sys
import tempfile
import time

govsearch, corpus, files, per_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
texts = sorted(glob.glob(os.path.join(corpus, "**", "*.txt"), recursive=True))[: files * per_file]
work = tempfile.mkdtemp()
pdfs = os.path.join(work, "pdf")
os.makedirs(pdfs)
text_bytes = 0
for i in range(files):
    chunk = texts[i * per_file : (i + 1) * per_file]
    paragraphs = []
    for path in chunk:
        text = open(path, encoding="utf-8", errors="replace").read()
        text_bytes += len(text.encode())
        paragraphs += [f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()]
    page = os.path.join(work, f"doc{i:03d}.html")
    with open(page, "w") as out:
        out.write('<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{font-family:"WenQuanYi Zen Hei"}</style></head><body>')
        out.write("".join(paragraphs) + "</body></html>")
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={os.path.join(pdfs, f'doc{i:03d}.pdf')}", page],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
pdf_bytes = sum(os.path.getsize(os.path.join(pdfs, f)) for f in os.listdir(pdfs))
best = None
for run in range(3):
    index = os.path.join(work, f"index{run}")
    started = time.monotonic()
    subprocess.run([govsearch, "index", pdfs, "--index", index], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.monotonic() - started
    best = elapsed if best is None else min(best, elapsed)
parsed = json.loads(subprocess.run([govsearch, "parse", os.path.join(pdfs, "doc000.pdf")], capture_output=True, text=True, check=True).stdout)
read = "".join(parsed["records"][0]["article"]["body"].split())
made = "".join("".join(open(p, encoding="utf-8", errors="replace").read() for p in texts[:per_file]).split())
print(json.dumps({
    "pdfs": files,
    "pdf_mb": round(pdf_bytes / 1e6, 1),
    "text_mb": round(text_bytes / 1e6, 2),
    "best_s": round(best, 2),
    "pdf_mb_per_s": round(pdf_bytes / 1e6 / best, 1),
    "text_mb_per_s": round(text_bytes / 1e6 / best, 3),
    "first_pdf_text_exact": read == made,
}))
