"""A throw-away OpenLDAP server: temporary slapd.conf, data loaded with slapadd.

Used by the test fixtures and by bench/directory. Debian's slapd runs in the foreground
as a child process; stop() sends SIGTERM.
"""

import base64
import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.services import free_port, tcp_open

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SUFFIX = "dc=transverse,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
SERVICE_DN = f"cn=transverse,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
USER_BASE = f"ou=agents,{SUFFIX}"


def ssha(password: str) -> str:
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324 (LDAP's {SSHA})
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
sizelimit unlimited
{tls}
database mdb
maxsize {maxsize}
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {dir}/data
index objectClass,uid,ou eq
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
overlay ppolicy
"""


class Slapd:
    def __init__(self, folder: Path, *, tls: dict | None = None, maxsize: int = 64 << 20):
        self.folder = Path(folder)
        self.tls = tls or {}
        self.maxsize = maxsize  # LMDB map size: the data file may grow to it
        self.port = self.tls_port = None
        self.process = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def configure(self) -> None:
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        tls = ""
        if self.tls:
            tls = (
                f"TLSCACertificateFile {self.tls['ca']}\n"
                f"TLSCertificateFile {self.tls['cert']}\n"
                f"TLSCertificateKeyFile {self.tls['key']}\n"
            )
        (self.folder / "slapd.conf").write_text(
            CONFIG.format(
                dir=self.folder,
                tls=tls,
                suffix=SUFFIX,
                rootdn=ROOT_DN,
                rootpw=ssha(ROOT_PASSWORD),
                maxsize=self.maxsize,
            )
        )

    def load(self, ldif_path: Path) -> None:
        subprocess.run(
            [SLAPADD, "-q", "-f", str(self.folder / "slapd.conf"), "-l", str(ldif_path)],
            check=True,
            capture_output=True,
        )

    def clone(self, folder: Path) -> "Slapd":
        """A stopped copy with the same data, to be mutated by one test."""
        shutil.copytree(self.folder / "data", Path(folder) / "data")
        other = Slapd(folder, tls=self.tls, maxsize=self.maxsize)
        other.configure()
        return other

    def start(self, prefix: list[str] | None = None) -> "Slapd":
        """Run slapd in the foreground; prefix, e.g. ["taskset", "-c", "1"], pins it."""
        self.port = self.port or free_port()
        urls = [self.url + "/"]
        if self.tls:
            self.tls_port = self.tls_port or free_port()
            urls.append(self.ldaps_url + "/")
        config = str(self.folder / "slapd.conf")
        self.process = subprocess.Popen(
            [*(prefix or []), SLAPD, "-f", config, "-h", " ".join(urls), "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not tcp_open("127.0.0.1", self.port, timeout=0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"slapd did not start (config in {self.folder})")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
