"""Screenshots of Transverse's main pages on the demo data, at desktop and phone widths.

    .venv/bin/python docs/screenshots/refresh.py after

starts the site on a fresh demo organisation (a temporary SQLite database and var/
folder, removed afterwards: the working copy's own var/ is never touched), signs in as
the demo agent amartin and saves the home page, a profile, a group page, the chat and the
expert finder at 1280 and 390 px wide into docs/screenshots/<label>/ (see README.md).
Needs Chromium (/usr/bin/chromium, or TRANSVERSE_CHROMIUM) and the project's venv.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("TRANSVERSE_CHROMIUM", "/usr/bin/chromium")
AGENT, PASSWORD = "amartin", "transverse-demo"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
MAX_HEIGHT_SCREENS = 3  # a long page is cut after three screens: enough to judge it

# A chat conversation for the demo agent, so that the chat page shows messages (the demo
# data may have none). Run in the site's own Django; a failure only leaves the chat empty.
CHAT_SEED = """
from intranet.accounts.models import User
from intranet.chat.services import conversations, messages
me = User.objects.get(username="amartin")
other = User.objects.get(username="jlefevre")
room = conversations.conversation_direct_open(me, other=other)
lines = [
    (other, "Bonjour Anne, tu as vu le programme de formation RGAA ?"),
    (me, "Oui, je le relis ce matin. On en parle à 14 h ?"),
    (other, "Parfait, je réserve la salle."),
    (me, "Merci ! J'apporte les retours de la dernière session."),
]
for n, (author, body) in enumerate(lines):
    messages.message_send(author, room.pk, body=body, idempotency_key=f"screenshot-{n:04d}")
print(room.pk)
"""


def say(message: str) -> None:
    print(f"[screenshots] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_environment(var_dir: Path) -> dict:
    # Embedded mode: SQLite and files under var_dir, in-memory cache and channel layer.
    ignored = ("TRANSVERSE_", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ignored)}
    env.update(TRANSVERSE_DEMO="true", TRANSVERSE_VAR_DIR=str(var_dir))
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def start_site(env: dict, port: int) -> subprocess.Popen:
    daphne = Path(sys.executable).parent / "daphne"
    server = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "intranet.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("daphne did not start listening within 30 s")


def first_link(page, pattern: str, text: str | None = None) -> str | None:
    """The first link of the main content whose path matches pattern (preferring text)."""
    hrefs = page.eval_on_selector_all(
        "main a[href]", "els => els.map(a => [a.getAttribute('href'), a.textContent])"
    )
    matching = [(h, t) for h, t in hrefs if re.fullmatch(pattern, h.split("?")[0])]
    if text:
        named = [h for h, t in matching if text in t]
        if named:
            return named[0]
    return matching[0][0] if matching else None


def pages_to_shoot(page, conversation: str | None) -> list[tuple[str, str]]:
    """(name, path) of the pages, found by following the site's own links."""
    page.goto("/groups/")
    group = first_link(page, r"/groups/(?!new/|invitations/)[^/]+/", "Communauté numérique")
    chat = f"/chat/{conversation}/" if conversation else "/chat/"
    shots = [
        ("home", "/"),
        ("profile", f"/people/{AGENT}/"),
        ("group", group or "/groups/"),
        ("chat", chat),
        ("experts", "/experts/?q=accessibilit%C3%A9"),
    ]
    return shots


def shrink(path: Path) -> None:
    """256 colours: a screenshot of flat colours and text loses nothing visible."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def shoot(base_url: str, out: Path, conversation: str | None) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for label, (width, height) in WIDTHS.items():
            context = browser.new_context(
                base_url=base_url,
                locale="fr-FR",
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                is_mobile=label == "phone",
                has_touch=label == "phone",
            )
            page = context.new_page()
            page.goto("/accounts/login/")
            page.fill("input[name=username]", AGENT)
            page.fill("input[name=password]", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
            for name, path in pages_to_shoot(page, conversation):
                page.goto(path)
                page.wait_for_load_state("networkidle")
                full = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
                )
                clip = {
                    "x": 0,
                    "y": 0,
                    "width": max(width, full[0]),  # a page wider than the screen shows it
                    "height": min(full[1], height * MAX_HEIGHT_SCREENS),
                }
                target = out / f"{name}-{label}.png"
                page.screenshot(path=str(target), full_page=True, clip=clip)
                shrink(target)
                say(f"{target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")
            context.close()
        browser.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("label", help='folder name under docs/screenshots/, e.g. "after"')
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[\w.-]+", args.label):
        parser.error("the label is a folder name: letters, digits, '.', '-' and '_'")
    out = HERE / args.label
    out.mkdir(parents=True, exist_ok=True)
    var_dir = Path(tempfile.mkdtemp(prefix="transverse-shots-"))
    server = None
    try:
        env = site_environment(var_dir)
        say(f"demo site in {var_dir}")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo", "--no-progress")
        try:
            conversation = manage(env, "shell", "-c", CHAT_SEED).strip().splitlines()[-1]
        except (subprocess.CalledProcessError, IndexError) as error:
            say(f"no chat conversation seeded ({error}): the chat page is the index")
            conversation = None
        port = free_port()
        server = start_site(env, port)
        shoot(f"http://127.0.0.1:{port}", out, conversation)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
