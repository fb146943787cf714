"""The example alerting rules and Grafana dashboard in deploy/ name only metrics that
/metrics serves, and the rule file is well-formed YAML with what Prometheus requires."""

import json
import os
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from intranet.directory.services.sync import SyncRefused, directory_sync
from tests.core.metrics_text import family_names
from tests.factories import PASSWORD
from tests.services import free_port

pytestmark = pytest.mark.django_db

DEPLOY = django_settings.BASE_DIR / "deploy"
RULES = DEPLOY / "prometheus" / "transverse-rules.yml"
DASHBOARD = DEPLOY / "grafana" / "transverse.json"
METRIC = re.compile(r"\btransverse_[a-z_]+\b")
# Served only where they can be read: PostgreSQL's pg_stat_activity, psycopg's pool.
POSTGRESQL_ONLY = {"transverse_db_connections", "transverse_db_max_connections"}
POOL_ONLY = {"transverse_db_pool_connections"}


def rule_expressions(text: str) -> list[str]:
    """Each rule's expr, inline or as a `|` block (a small reader for this file's shape)."""
    expressions, lines = [], text.splitlines()
    for index, line in enumerate(lines):
        key, _colon, rest = line.strip().partition(":")
        if key != "expr":
            continue
        if rest.strip() != "|":
            expressions.append(rest.strip())
            continue
        indent, block = len(line) - len(line.lstrip()), []
        for following in lines[index + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            block.append(following.strip())
        expressions.append(" ".join(block))
    return expressions


def test_the_rule_file_is_yaml_prometheus_can_load():
    text = RULES.read_text(encoding="utf-8")
    assert "\t" not in text
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        rules = yaml.safe_load(text)["groups"][0]["rules"]
        assert all(rule["alert"] and rule["expr"] and rule["labels"]["severity"] for rule in rules)
        count = len(rules)
    else:  # the small check: indentation by twos, each alert with its expr and severity
        assert all((len(line) - len(line.lstrip())) % 2 == 0 for line in text.splitlines())
        count = text.count("- alert:")
        assert text.startswith("#") and "\ngroups:\n" in text
        assert count == len(rule_expressions(text)) == text.count("severity:")
    assert count >= 8
    for kind in ("5xx", "histogram_quantile(0.95", "oldest_age", "tasks_failed", "index_lag"):
        assert kind in text
    for kind in ("sign_in_failures", "db_max_connections", 'up{job="transverse"}'):
        assert kind in text


def test_the_dashboard_is_grafana_json_with_a_query_per_panel():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "transverse" and dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["title"] and panel["targets"]
        assert all(target["expr"] for target in panel["targets"])
    assert "://" not in json.dumps(dashboard)  # nothing fetched from another host


def served_names(settings) -> set[str]:
    """What /metrics serves once each labelled figure has had its event: a refused
    sign-in, a refused directory sync, a failed task (the requests count themselves)."""
    Client().post("/accounts/login/", {"username": "nobody", "password": PASSWORD})
    settings.TRANSVERSE_LDAP_URLS = (f"ldap://127.0.0.1:{free_port()}",)
    with pytest.raises(SyncRefused):
        directory_sync()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from tests.core.failing_tasks import always_fails

    always_fails.enqueue()
    Client().get("/metrics", REMOTE_ADDR="127.0.0.1")
    return family_names(Client())


def test_every_metric_the_rules_and_dashboard_name_is_served(settings):
    named = set(METRIC.findall(RULES.read_text(encoding="utf-8")))
    named |= set(METRIC.findall(DASHBOARD.read_text(encoding="utf-8")))
    assert len(named) >= 15
    served = served_names(settings)
    missing = named - served
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        missing -= POSTGRESQL_ONLY
    missing -= POOL_ONLY  # the test process runs without the pool (tests/conftest.py)
    assert not missing, sorted(missing)
