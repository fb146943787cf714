"""The production files of deploy/ and docs/deploy.md agree with the code and each other.

The units are read as INI, their command lines are parsed by daphne's and Django's own
argument parsers, and names are checked against the settings, the environment example
and the nginx example; one test starts daphne from its unit's command line.
"""

import configparser
import importlib
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from daphne.cli import CommandLineInterface
from django.conf import settings
from django.core.management import get_commands, load_command_class

from tests.services import free_port, require_executable, tcp_open

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("transverse*"))
NGINX = (ROOT / "deploy" / "nginx" / "transverse.conf").read_text()
GUIDE = (ROOT / "docs" / "deploy.md").read_text()
ENV_EXAMPLE = (ROOT / "deploy" / "transverse.env.example").read_text()
MANAGE = (ROOT / "deploy" / "transverse-manage").read_text()
LONG_RUNNING = {
    "transverse-pages@.service",
    "transverse-daphne@.service",
    "transverse-worker.service",
}
PRUNE = {"transverse-prune.service", "transverse-prune.timer"}


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def manage_command_parses(argv: list[str]) -> None:
    """argv after manage.py: the command exists and accepts these options."""
    name, *rest = argv
    command = load_command_class(get_commands()[name], name)
    command.create_parser("manage.py", name).parse_args(rest)


def test_units_parse_and_services_run_sandboxed_as_the_service_account():
    assert {path.name for path in UNITS} >= LONG_RUNNING | PRUNE | {"transverse.target"}
    for path in UNITS:
        parsed = unit(path)
        assert parsed["Unit"]["Description"], path.name
        if path.suffix != ".service":
            continue
        service = parsed["Service"]
        assert service["User"] == "transverse", path.name
        assert service["EnvironmentFile"] == "/etc/transverse/transverse.env", path.name
        assert service["ExecStart"].startswith(service["WorkingDirectory"] + "/.venv/bin/")
        assert service["ReadWritePaths"] == "/var/lib/transverse", path.name
        for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict"}.items():
            assert service[key] == value, (path.name, key)
        if path.name in LONG_RUNNING:
            assert service["Restart"] == "on-failure", path.name
            assert parsed["Install"]["WantedBy"] == "transverse.target", path.name
        if path.name == "transverse-daphne@.service":  # a file descriptor per socket
            assert int(service["LimitNOFILE"]) >= 20_000
    assert unit(ROOT / "deploy" / "systemd" / "transverse-prune.timer")["Timer"]["OnCalendar"]


def unit_environment(path: Path) -> dict:
    """The unit's own Environment= values (the environment file may override them); read
    from the text: ConfigParser keeps only the last of repeated keys."""
    values = {}
    for line in re.findall(r"^Environment=(.*)$", path.read_text(), re.MULTILINE):
        for word in shlex.split(line):
            name, _, value = word.partition("=")
            values[name] = value
    return values


def exec_lines(path: Path):
    """The ExecStartPre and ExecStart command lines of a unit, without systemd's '-', with
    %i and the unit's ${VARIABLES} filled in as systemd would."""
    service = unit(path)["Service"]
    environment = unit_environment(path)
    for key in ("ExecStartPre", "ExecStart"):
        if key in service:
            line = service[key].removeprefix("-").replace("%i", "8001")
            line = re.sub(r"\$\{(\w+)\}", lambda m: environment[m.group(1)], line)
            yield shlex.split(line)


def test_every_exec_start_is_a_command_line_daphne_or_django_accepts():
    commands = [line for path in UNITS if path.suffix == ".service" for line in exec_lines(path)]
    assert ["python", "manage.py", "schedule_ensure"] in [
        [Path(program).name, *args] for program, *args in commands
    ]
    for program, *args in commands:
        name = Path(program).name
        assert Path(sys.prefix, "bin", name).exists(), f"no {name} in the venv"
        if name == "daphne":
            options = CommandLineInterface().parser.parse_args(args)
            module, attribute = options.application.split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
            assert options.socket_strings == [
                "tcp:port=8001:interface=127.0.0.1:backlog=4096"
            ] and not (options.host or options.port or options.proxy_headers)
        elif name == "gunicorn":
            from gunicorn.config import Config

            options = Config().parser().parse_args(args)
            module, attribute = options.args[0].split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
            assert options.bind == ["127.0.0.1:8001"] and not options.forwarded_allow_ips
            assert options.worker_class == "gthread" and int(options.threads) > 1
        else:
            assert name == "python" and args[0] == "manage.py", program
            manage_command_parses(args[1:])


def test_manage_commands_named_in_the_guide_exist():
    commands = set(re.findall(r"transverse-manage ([a-z_]+)", GUIDE))
    assert {"migrate", "collectstatic", "createsuperuser", "sync_directory"} <= commands
    assert commands <= set(get_commands())
    assert "--property=EnvironmentFile=/etc/transverse/transverse.env" in MANAGE
    assert "--property=User=transverse" in MANAGE and "manage.py" in MANAGE


def test_variables_in_the_guide_and_units_are_real_and_in_the_env_example():
    texts = [GUIDE, NGINX, MANAGE, *(path.read_text() for path in UNITS)]
    named = set(re.findall(r"\bTRANSVERSE_[A-Z0-9_]*[A-Z0-9]", "\n".join(texts)))
    assert "TRANSVERSE_TRUSTED_PROXIES" in named
    missing = {name for name in named if not re.search(rf"\b{name}=", ENV_EXAMPLE)}
    assert not missing
    env_file = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", GUIDE, re.MULTILINE))
    assert env_file["TRANSVERSE_VAR_DIR"] == "/var/lib/transverse"
    for name, value in env_file.items():
        assert re.search(rf"^# {name}=", ENV_EXAMPLE, re.MULTILINE), name
        assert "#" not in value, f"systemd would keep the comment in {name}"


def test_env_example_lines_can_be_uncommented_as_they_are():
    """systemd keeps a "# ..." after a value as part of it: notes go on their own line."""
    assignments = re.findall(r"^# ([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, re.MULTILINE)
    assert len(assignments) > 40
    assert [name for name, value in assignments if re.search(r"\s#", value)] == []


def test_nginx_upstream_serves_the_instances_the_guide_enables_and_restarts():
    enabled = "\n".join(re.findall(r"systemctl enable --now ([^\n]+)", GUIDE))
    restarted = re.findall(r"for port in ([\d ]+);", GUIDE)
    for name, instance in (("transverse_pages", "pages"), ("transverse_sockets", "daphne")):
        upstream = re.search(rf"upstream {name} \{{(.*?)\}}", NGINX, re.DOTALL).group(1)
        ports = set(re.findall(r"server 127\.0\.0\.1:(\d+)", upstream))
        assert ports and ports == set(re.findall(rf"transverse-{instance}@(\d+)", enabled))
        assert ports in [set(line.split()) for line in restarted]
    # The WebSocket goes to daphne, everything else to the page servers.
    assert re.search(r"location /ws/ \{[^}]*proxy_pass http://transverse_sockets;", NGINX)
    assert re.search(r"location / \{[^}]*proxy_pass http://transverse_pages;", NGINX)
    guide_env = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", GUIDE, re.MULTILINE))
    assert "127.0.0.1" in guide_env["TRANSVERSE_TRUSTED_PROXIES"].split(",")
    assert f"alias {guide_env['TRANSVERSE_VAR_DIR']}/static/;" in NGINX
    # STATIC_ROOT, where collectstatic writes, is $TRANSVERSE_VAR_DIR/static.
    assert Path(settings.STATIC_ROOT) == Path(settings.VAR_DIR) / "static"
    assert f"location {settings.STATIC_URL} {{" in NGINX


def test_nginx_passes_websockets_longer_than_the_client_ping_and_uploads_whole():
    ws = re.search(r"location /ws/ \{(.*?)\}", NGINX, re.DOTALL).group(1)
    assert "proxy_http_version 1.1;" in ws and "proxy_set_header Upgrade $http_upgrade;" in ws
    assert "proxy_set_header Connection" in ws
    chat_js = (ROOT / "intranet" / "static" / "transverse" / "chat.js").read_text()
    ping_ms = int(re.search(r'action: "ping" \}\), (\d+)\)', chat_js).group(1))
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", ws).group(1))
    assert read_timeout * 1000 > 2 * ping_ms
    body_mib = int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1))
    largest = max(
        settings.TRANSVERSE_CHAT_MAX_ATTACHMENT_BYTES, settings.TRANSVERSE_MAX_PHOTO_BYTES
    )
    assert body_mib * 1024 * 1024 > largest


def test_nginx_gives_every_proxied_request_an_id_it_logs_and_passes_on():
    """The id Transverse puts on its log lines comes from nginx (the guide trusts 127.0.0.1)."""
    locations = re.findall(r"location (/\S*) \{(.*?)\}", NGINX, re.DOTALL)
    proxied = [body for _path, body in locations if "proxy_pass" in body]
    assert len(proxied) == 2
    assert all("proxy_set_header X-Request-ID $request_id;" in body for body in proxied)
    log_format = re.search(r"log_format transverse (.*?);", NGINX, re.DOTALL).group(1)
    assert "$request_id" in log_format and "$time_iso8601" in log_format
    assert re.search(r"access_log \S+ transverse;", NGINX)


def test_nginx_sends_nothing_to_another_host():
    hosts = set(re.findall(r"https?://([^/\s;]+)", NGINX))
    assert hosts == {"transverse_pages", "transverse_sockets", "$host$request_uri"}


def test_daphne_of_the_unit_listens_with_a_backlog_for_a_reconnect_storm(tmp_path):
    """Every browser comes back at once after a restart: with Twisted's default backlog
    (50) the kernel dropped handshakes and clients waited 1, 3, 7 s to retry."""
    ss = require_executable("ss", "apt-get install iproute2")
    daphne = unit(ROOT / "deploy" / "systemd" / "transverse-daphne@.service")
    port = free_port()
    program, *args = shlex.split(daphne["Service"]["ExecStart"].replace("%i", str(port)))
    environ = {**os.environ, "TRANSVERSE_VAR_DIR": str(tmp_path)}
    environ.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.prefix, "bin", Path(program).name)), *args],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            if tcp_open("127.0.0.1", port):
                break
            assert server.poll() is None, "daphne stopped"
            time.sleep(0.1)
        listening = subprocess.run(
            [ss, "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True
        ).stdout.split()
    finally:
        server.terminate()
        server.wait(10)
    somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())
    # For a listening socket, ss shows the backlog as Send-Q: state, Recv-Q, Send-Q, ...
    assert int(listening[2]) == min(4096, somaxconn)
