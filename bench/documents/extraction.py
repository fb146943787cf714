"""Text extraction throughput: 1,000 mixed documents on one worker.

    .venv/bin/python bench/documents/extraction.py --size 1000 --pairs 2

Generates `--size` documents (PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, text, Markdown, CSV
in equal shares, a few pages or sheets each, made with the readers' own libraries by
tests/documents/samples.py) under generated names, then, `--pairs` times in turn:

- baseline: each file read whole plus a trivial parse in the calling process (the ZIP
  directory of office files, the page count of PDFs, UTF-8 decoding of text): what any
  per-document task pays before extracting anything;
- candidate: intranet.documents.extraction.extract_text(), i.e. one forked child with
  limits per document, from the preloaded helper.

Then, once, two variants that explain the design: the same readers called in the
calling process without isolation (the price of the child), and a fresh helper, hence a
fresh interpreter, per document on a sample (`--fresh`, what a subprocess per document
would cost). Memory: the calling process's peak resident set during extraction (its
peak is reset after generation through /proc/self/clear_refs), the helper's, and the
children's (each child's ru_maxrss, which includes the pages it shares with the helper).
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import Run, add_result_arguments, setup_django  # noqa: E402

WORDS = [
    "budget",
    "agent",
    "service",
    "direction",
    "préfecture",
    "rapport",
    "réunion",
    "comité",
    "dossier",
    "projet",
    "calendrier",
    "mission",
    "télétravail",
    "formation",
    "marché",
    "public",
    "crédit",
    "dépense",
    "recette",
    "convention",
    "partenaire",
    "territoire",
    "département",
    "région",
    "ministère",
    "circulaire",
    "note",
    "décision",
    "arrêté",
    "délibération",
    "commission",
    "instruction",
    "procédure",
    "évaluation",
    "bilan",
]
KINDS = ("pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "txt", "md", "csv")


def sentence(rng: random.Random, words: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def make(kind: str, rng: random.Random) -> bytes:
    from tests.documents import samples

    if kind == "pdf":
        return samples.pdf_bytes([sentence(rng, 20) for _ in range(rng.randint(1, 4))])
    if kind in ("odt", "docx"):
        paragraphs = [paragraph(rng) for _ in range(rng.randint(5, 30))]
        return samples.odt_bytes(paragraphs) if kind == "odt" else samples.docx_bytes(paragraphs)
    if kind in ("ods", "xlsx", "csv"):
        rows = [
            [rng.choice(WORDS), rng.choice(WORDS), str(rng.randint(0, 99_999))]
            for _ in range(rng.randint(20, 150))
        ]
        if kind == "ods":
            return samples.ods_bytes(rows)
        if kind == "xlsx":
            return samples.xlsx_bytes([[a, b, int(n)] for a, b, n in rows])
        return "\n".join(";".join(row) for row in rows).encode()
    if kind in ("odp", "pptx"):
        slides = [sentence(rng, 6) for _ in range(rng.randint(3, 12))]
        return samples.odp_bytes(slides) if kind == "odp" else samples.pptx_bytes(slides)
    paragraphs = [paragraph(rng) for _ in range(rng.randint(5, 40))]
    if kind == "md":
        return "\n\n".join(f"## {p[:30]}\n\n*{p}*" for p in paragraphs).encode()
    return "\n\n".join(paragraphs).encode()


def generate(folder: Path, size: int) -> list[tuple[str, str, str]]:
    """(path, kind, mime) of `size` documents written under generated names."""
    from intranet.documents.filetypes import HEAD_BYTES, sniff

    rng = random.Random(18)
    documents = []
    for number in range(size):
        kind = KINDS[number % len(KINDS)]
        data = make(kind, rng)
        path = folder / f"{number:05d}"
        path.write_bytes(data)
        mime = sniff(data[:HEAD_BYTES], f"document.{kind}").mime
        documents.append((str(path), kind, mime))
    return documents


def baseline(path: str, kind: str, mime: str) -> int:
    data = Path(path).read_bytes()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(path) as archive:
            return len(archive.namelist())
    if data.startswith(b"%PDF"):
        return data.count(b"/Type /Page")
    return len(data.decode("utf-8"))


def in_process(path: str, kind: str, mime: str) -> int:
    from intranet.documents.readers import READERS

    return len(READERS[mime](path, 1_000_000))


def extracted(path: str, kind: str, mime: str):
    from intranet.documents.extraction import extract_text

    return extract_text(path, mime)


def fresh(path: str, kind: str, mime: str):
    from intranet.documents.extraction import extract_text, stop_helper

    stop_helper()
    return extract_text(path, mime)


def cpu_seconds() -> float:
    """CPU time of this process, of the extraction helper and of the helper's reaped
    children: the whole cost of extracting, whatever the machine's load."""
    import os

    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    helper = helper_pid()
    if helper:
        fields = Path(f"/proc/{helper}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def timed_pass(function, documents, *, flush=None) -> tuple[float, float, list]:
    """(wall seconds, CPU seconds, results) of function over the documents; flush: a
    call after the timing that makes the helper reap its last child, so that the
    child's CPU time is counted (outside the wall clock)."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    results = [function(*document) for document in documents]
    wall = time.perf_counter() - started
    if flush:
        flush()
    return wall, cpu_seconds() - cpu, results


def status_kb(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def helper_pid() -> int | None:
    import os

    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"intranet.documents.extraction" in cmdline:
            return int(entry.name)
    return None


def main() -> None:
    from intranet.documents import extraction

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="documents generated")
    parser.add_argument("--pairs", type=int, default=2, help="rounds of the three modes")
    parser.add_argument("--reuse", type=int, default=50, help="documents per reused child")
    parser.add_argument("--fresh", type=int, default=30, help="documents of the fresh variant")
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django(postgres=False, migrate=False)
    run = Run("documents-extraction", args.size, label=args.label, history=not args.no_history)
    default_per_child = extraction.DOCUMENTS_PER_CHILD
    modes = {"fork per document": 1, f"child reused for {args.reuse}": args.reuse}

    with tempfile.TemporaryDirectory(prefix="bench-extraction-") as folder:
        started = time.perf_counter()
        documents = generate(Path(folder), args.size)
        broken = Path(folder) / "broken"
        broken.write_bytes(b"%PDF-1.4 broken")

        def flush():
            extracted(str(broken), "pdf", "application/pdf")  # fails: the child is reaped

        total_bytes = sum(Path(path).stat().st_size for path, _k, _m in documents)
        run.add(
            {
                "figure": "dataset",
                "documents": len(documents),
                "megabytes": round(total_bytes / 1e6, 1),
                "generation_s": round(time.perf_counter() - started, 1),
                "load_average": list(os.getloadavg()),
            }
        )
        extracted(*documents[0])  # start the helper outside the timings
        Path("/proc/self/clear_refs").write_text("5")  # reset this process's peak RSS
        caller_start = status_kb("self", "VmRSS")  # the generators' libraries included
        passes = {"baseline": [], **{mode: [] for mode in modes}}
        for pair in range(args.pairs):
            wall, cpu, _ = timed_pass(baseline, documents)
            passes["baseline"].append((wall, cpu))
            for mode, per_child in modes.items():
                extraction.DOCUMENTS_PER_CHILD = per_child
                wall, cpu, results = timed_pass(extracted, documents, flush=flush)
                passes[mode].append((wall, cpu))
                run.add(
                    {
                        "figure": "round",
                        "pair": pair + 1,
                        "mode": mode,
                        "docs_per_s": round(len(documents) / wall, 1),
                        "cpu_ms_per_doc": round(cpu / len(documents) * 1000, 2),
                        "ratio_to_baseline": round(passes["baseline"][-1][0] / wall, 4),
                        "statuses": {
                            s: sum(r.status == s for r in results)
                            for s in ("ok", "empty", "failed")
                        },
                        "child_peak_kb_max": max(r.peak_kb for r in results),
                        "child_peak_kb_median": statistics.median(r.peak_kb for r in results),
                    }
                )
        extraction.DOCUMENTS_PER_CHILD = default_per_child
        parent_peak = status_kb("self", "VmHWM")
        helper = helper_pid()
        helper_peak = status_kb(helper, "VmHWM") if helper else 0
        by_kind = {}
        for kind in KINDS:
            chosen = [d for d in documents if d[1] == kind]
            wall, cpu, _ = timed_pass(extracted, chosen, flush=flush)
            by_kind[kind] = {
                "docs_per_s": round(len(chosen) / wall, 1),
                "cpu_ms_per_doc": round(cpu / len(chosen) * 1000, 2),
            }
        in_wall, in_cpu, _ = timed_pass(in_process, documents)
        sample = documents[: args.fresh]
        fresh_wall, _cpu, _ = timed_pass(fresh, sample)

    def figures(mode: str, count: int = len(documents)) -> dict:
        wall = statistics.median(w for w, _c in passes[mode])
        cpu = statistics.median(c for _w, c in passes[mode])
        return {
            "docs_per_s": round(count / wall, 1),
            "cpu_ms_per_doc": round(cpu / count * 1000, 2),
            "ratio_to_baseline": round(
                statistics.median(w for w, _c in passes["baseline"]) / wall, 4
            ),
        }

    summary = {
        "figure": "summary",
        "default_documents_per_child": default_per_child,
        **{mode: figures(mode) for mode in passes},
        "readers in process, no isolation": {
            "docs_per_s": round(len(documents) / in_wall, 1),
            "cpu_ms_per_doc": round(in_cpu / len(documents) * 1000, 2),
        },
        "fresh interpreter per document": {
            "documents": len(sample),
            "docs_per_s": round(len(sample) / fresh_wall, 2),
        },
        "by_kind_default_mode": by_kind,
        "caller_rss_before_kb": caller_start,
        "caller_peak_rss_kb": parent_peak,
        "helper_peak_rss_kb": helper_peak,
        "child_peak_rss_kb_max": max(
            f["child_peak_kb_max"] for f in run.figures if f["figure"] == "round"
        ),
        "load_average_after": list(os.getloadavg()),
    }
    run.add(summary)
    unisolated = summary["readers in process, no isolation"]
    rows = [
        f"| {mode} | {summary[mode]['docs_per_s']} | {summary[mode]['cpu_ms_per_doc']} | "
        f"{summary[mode]['ratio_to_baseline']} |"
        for mode in passes
    ]
    lines = [
        f"# Text extraction, {len(documents)} documents, {run.date}, commit {run.commit}",
        "",
        "| mode | documents/s | CPU ms per document | ratio to baseline |",
        "|---|---|---|---|",
        *rows,
        f"| readers in process, no isolation | {unisolated['docs_per_s']} "
        f"| {unisolated['cpu_ms_per_doc']} | |",
        f"| fresh interpreter per document ({len(sample)}) | "
        f"{summary['fresh interpreter per document']['docs_per_s']} | | |",
        "",
        f"By kind, default mode: {by_kind}.",
        f"Peak RSS during extraction: caller {parent_peak} kB (from {caller_start} kB before), "
        f"helper {helper_peak} kB, "
        f"children up to {summary['child_peak_rss_kb_max']} kB.",
        f"Load average before and after: {run.figures[0]['load_average']}, "
        f"{summary['load_average_after']}.",
    ]
    run.finish("\n".join(lines), documents=len(documents))


if __name__ == "__main__":
    main()
