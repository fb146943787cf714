"""A 200 MB document uploaded and downloaded through each page server, as MB/s and as a
ratio of a plain file copy on the same disk in the same round, with the server's peak
memory (the largest VmHWM of its processes, before and after).

    .venv/bin/python bench/serving/transfer.py --mb 200

The upload and download code is bench/documents/transfer.py's (embedded mode: SQLite and
files in a temporary var directory; the upload is one multipart POST streamed from disk,
the download a GET streamed to a file). Each server is pinned to core 1, this process to
core 0. daphne keeps a whole request body in memory before the application sees it.
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import Run, add_result_arguments  # noqa: E402
from bench.documents import transfer  # noqa: E402
from bench.serving.servers import SERVERS, Server, memory_mb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--servers", default=",".join(SERVERS))
    add_result_arguments(parser)
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="transverse-bench-serving-", dir=ROOT / "var"))
    try:
        run_bench(args, var)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run_bench(args, var: Path) -> None:
    mb = transfer.CHUNK
    env, ctx, source = transfer.set_up(var, args.mb, settings_module="bench.serving.settings")
    env.pop("REDIS_URL", None)
    size = source.stat().st_size
    os.sched_setaffinity(0, {0})
    run = Run("serving-transfer", f"{args.mb}MB", label=args.label, history=not args.no_history)
    load_before = os.getloadavg()
    for name in args.servers.split(","):
        with Server(name, env, var / f"{name}.log") as server:
            pid = server.process.pid
            transfer.upload(server.port, ctx, transfer.small_file(var), "warm.pdf")
            before = memory_mb(pid)
            transfer.vary(source)
            copy_s = transfer.plain_copy(source, var / "copy.pdf")
            (var / "copy.pdf").unlink()
            document_id = transfer.add_directly(ctx, source, f"direct {name}.pdf")
            download_s = transfer.download(server.port, ctx, document_id, var / "got.pdf")
            assert (var / "got.pdf").stat().st_size == size
            (var / "got.pdf").unlink()
            after_download = memory_mb(pid)
            transfer.vary(source)
            copy2_s = transfer.plain_copy(source, var / "copy.pdf")
            (var / "copy.pdf").unlink()
            try:
                upload_s, _answer = transfer.upload(server.port, ctx, source, f"rapport {name}.pdf")
                upload_error = None
            except Exception as exc:  # reported beside the figures
                upload_s, upload_error = None, str(exc)[:200]
            after_upload = memory_mb(pid)
        file_mb = size / mb
        run.add(
            {
                "id": name,
                "server": name,
                "description": SERVERS[name][0],
                "baseline": "plain file copy, same round",
                "file_mb": round(file_mb, 1),
                "copy_mb_s": round(file_mb / copy_s, 1),
                "download_mb_s": round(file_mb / download_s, 1),
                "download_ratio": round(copy_s / download_s, 3),
                "upload_mb_s": round(file_mb / upload_s, 1) if upload_s else None,
                "upload_ratio": round(copy2_s / upload_s, 3) if upload_s else None,
                "upload_error": upload_error,
                "peak_before_mb": before["peak_one_mb"],
                "peak_after_download_mb": after_download["peak_one_mb"],
                "peak_after_upload_mb": after_upload["peak_one_mb"],
                "peak_growth_download_mb": round(
                    after_download["peak_one_mb"] - before["peak_one_mb"], 1
                ),
                "peak_growth_upload_mb": round(
                    after_upload["peak_one_mb"] - after_download["peak_one_mb"], 1
                ),
            }
        )
    lines = [
        f"# Uploads and downloads through each page server, {args.mb} MB, commit {run.commit}",
        "",
        f"Load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after.",
        "",
        "| server | download MB/s (÷ copy) | upload MB/s (÷ copy) | peak RSS before MB "
        "| + download MB | + upload MB |",
        "|---|---|---|---|---|---|",
    ]
    for f in run.figures:
        upload = f"{f['upload_mb_s']} ({f['upload_ratio']})" if f["upload_mb_s"] else "failed"
        lines.append(
            f"| {f['server']} | {f['download_mb_s']} ({f['download_ratio']}) | {upload} | "
            f"{f['peak_before_mb']} | {f['peak_growth_download_mb']:+} | "
            f"{f['peak_growth_upload_mb']:+} |"
        )
    run.finish("\n".join(lines) + "\n", load={"before": load_before, "after": os.getloadavg()})


if __name__ == "__main__":
    main()
