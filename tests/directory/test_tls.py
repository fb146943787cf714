"""LDAPS and StartTLS with a self-signed CA made here: accepted only when configured."""

import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from intranet.directory.config import directory_config
from intranet.directory.connection import DirectoryUnavailable, directory_close, directory_connect
from intranet.directory.services.sync import SyncRefused, directory_sync

pytestmark = pytest.mark.django_db


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def make_ca_and_server_cert(folder):
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Transverse test CA"))
        .issuer_name(_name("Transverse test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(_pem_key(key))
    return {name: str(path) for name, path in paths.items()}


@pytest.fixture(scope="module")
def tls_slapd(pristine_slapd, tmp_path_factory):
    folder = tmp_path_factory.mktemp("slapd-tls")
    tls = make_ca_and_server_cert(folder)
    server = pristine_slapd.clone(folder / "server")
    server.tls = tls
    server.configure()
    server.start()
    yield server
    server.stop()


def connects() -> bool:
    try:
        directory_close(directory_connect(directory_config()))
    except DirectoryUnavailable:
        return False
    return True


def test_ldaps_with_the_configured_ca_works(tls_slapd, directory_settings):
    directory_settings(urls=(tls_slapd.ldaps_url,), ca_file=tls_slapd.tls["ca"])
    assert connects()
    assert directory_sync().counts["created"] > 0


def test_ldaps_without_the_ca_is_refused(tls_slapd, directory_settings):
    directory_settings(urls=(tls_slapd.ldaps_url,))  # system CAs only
    assert not connects()
    with pytest.raises(SyncRefused, match="certificate"):
        directory_sync()


def test_starttls_with_the_configured_ca_works(tls_slapd, directory_settings):
    directory_settings(tls_slapd, start_tls=True, ca_file=tls_slapd.tls["ca"])
    assert connects()


def test_starttls_without_the_ca_is_refused(tls_slapd, directory_settings):
    directory_settings(tls_slapd, start_tls=True)
    assert not connects()


def test_starttls_never_falls_back_to_plain_text(slapd_server, directory_settings, tls_slapd):
    # slapd_server has no certificate: StartTLS fails, and the connection is not used.
    directory_settings(slapd_server, start_tls=True, ca_file=tls_slapd.tls["ca"])
    assert not connects()
