"""Large uploads and downloads through a real daphne keep its memory flat
(intranet.core.daphne_tuning): the transfer benchmark, small, run as a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MB = 40
FLAT_MB = 25  # daphne's peak may grow by this much for a 40 MB file (it grew by 12×)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def test_a_40_mb_upload_and_download_through_daphne_keep_its_memory_flat():
    done = subprocess.run(
        [sys.executable, "bench/documents/transfer.py", "--mb", str(MB), "--rounds", "1",
         "--no-history"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(row for row in done.stdout.splitlines() if row.startswith('{"figure"'))
    figures = json.loads(line)
    assert figures["file_mb"] >= MB
    assert figures["server_peak_download_growth_mb"] < FLAT_MB, figures
    assert figures["server_peak_growth_mb"] < FLAT_MB, figures
