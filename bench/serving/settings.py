"""The site's settings with the bare "hello" view beside its pages (bench/stream/urls.py):
the page servers of bench/serving load this module, so the baseline and the pages are
served by the same process in the same run."""

from intranet.settings import *  # noqa: F403

ROOT_URLCONF = "bench.stream.urls"
