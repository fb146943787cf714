"""The test directory's content, written as LDIF (non-ASCII values in base64).

Nested organisational units, accents and apostrophes, an entry missing optional
attributes, two agents with the same display name, a disabled and a locked account,
an entry with a photo, an entry without a login, and a login taken by a local account.
Every password is "pw-" followed by the login.
"""

import base64
import io

from PIL import Image

from tests.directory.slapd import SERVICE_DN, SERVICE_PASSWORD, SUFFIX, USER_BASE, ssha

# modifyTimestamp far in the past: an incremental sync then only sees what a test changes.
OLD_TIMESTAMP = "20240101000000Z"
PPOLICY_PERMANENT_LOCK = "000001010000Z"


def ldif_value(attribute: str, value) -> str:
    if isinstance(value, bytes):
        return f"{attribute}:: {base64.b64encode(value).decode()}"
    if not value.isascii() or value[:1] in (" ", ":", "<") or value.endswith(" "):
        return f"{attribute}:: {base64.b64encode(value.encode()).decode()}"
    return f"{attribute}: {value}"


def ldif_entry(dn: str, attributes: dict) -> str:
    lines = [ldif_value("dn", dn)]
    for attribute, values in attributes.items():
        for value in values if isinstance(values, list) else [values]:
            lines.append(ldif_value(attribute, value))
    return "\n".join(lines) + "\n\n"


def jpeg_photo(colour=(200, 30, 30), size=64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def unit_dn(*names: str) -> str:
    """unit_dn("DGS", "DRH") -> ou=DRH,ou=DGS,ou=agents,dc=transverse,dc=test."""
    return ",".join([*(f"ou={n}" for n in reversed(names)), USER_BASE])


def unit(names: tuple[str, ...], head_dn: str = "") -> str:
    attributes = {"objectClass": ["organizationalUnit"], "ou": names[-1]}
    if head_dn:
        # extensibleObject lets an OpenLDAP unit carry `manager`, the preset's head attribute.
        attributes["objectClass"].append("extensibleObject")
        attributes["manager"] = head_dn
    attributes["modifyTimestamp"] = OLD_TIMESTAMP
    return ldif_entry(unit_dn(*names), attributes)


def agent_dn(uid: str, units: tuple[str, ...]) -> str:
    return f"uid={uid},{unit_dn(*units)}"


def agent(uid, first, last, units, **extra) -> str:
    attributes = {
        "objectClass": ["inetOrgPerson"],
        "uid": uid,
        "cn": f"{first} {last}".strip(),
        "sn": last,
    }
    if first:
        attributes["givenName"] = first
    if extra.pop("full", True):
        attributes.update(
            mail=f"{uid}@transverse.test",
            title=extra.pop("title", "Chargé de mission"),
            telephoneNumber="+33 1 23 45 67 89",
            roomNumber="B-204",
        )
    attributes.update(extra)
    attributes["userPassword"] = ssha(f"pw-{uid}")
    attributes["modifyTimestamp"] = OLD_TIMESTAMP
    return ldif_entry(f"uid={uid},{unit_dn(*units)}", attributes)


DGS = ("Direction générale des services",)
DRH = (*DGS, "Direction des ressources humaines")
ETUDES = (*DRH, "Bureau d'études et de la formation")
FINANCES = (*DGS, "Direction des finances")
EMPTY = (*DGS, "Mission d'audit")


ADURAND = agent_dn("adurand", DGS)
MLEFEVRE = agent_dn("mlefevre", DRH)


def directory_ldif() -> str:
    """The whole test directory."""
    parts = [
        ldif_entry(
            SUFFIX,
            {"objectClass": ["dcObject", "organization"], "dc": "transverse", "o": "Transverse"},
        ),
        ldif_entry(
            f"ou=services,{SUFFIX}", {"objectClass": "organizationalUnit", "ou": "services"}
        ),
        ldif_entry(
            SERVICE_DN,
            {
                "objectClass": ["applicationProcess", "simpleSecurityObject"],
                "cn": "transverse",
                "userPassword": ssha(SERVICE_PASSWORD),
            },
        ),
        ldif_entry(USER_BASE, {"objectClass": "organizationalUnit", "ou": "agents"}),
        unit(DGS, head_dn=ADURAND),
        unit(DRH, head_dn=MLEFEVRE),
        unit(ETUDES),
        unit(FINANCES),
        unit(EMPTY),
        agent("adurand", "Anne", "Durand", DGS, title="Directrice générale des services"),
        agent(
            "mlefevre",
            "Marie",
            "Lefèvre",
            DRH,
            title="Directrice des ressources humaines",
            manager=ADURAND,
        ),
        agent("jdupont", "Jean", "Dupont", DRH, manager=MLEFEVRE),
        agent("fndiaye", "Fatou", "N'Diaye", ETUDES, manager=MLEFEVRE, title="Chargée d'études"),
        agent("hcoeur", "Hélène", "Cœur-Joly", FINANCES),
        agent("minimal", "", "Sanstitre", FINANCES, full=False),
        agent("pmartin1", "Paul", "Martin", DRH),
        agent("pmartin2", "Paul", "Martin", FINANCES),
        agent("photo", "Pauline", "Portrait", FINANCES, jpegPhoto=jpeg_photo()),
        agent("disabled", "Denis", "Parti", FINANCES, pwdAccountLockedTime=PPOLICY_PERMANENT_LOCK),
        agent("locked", "Luc", "Bloqué", FINANCES, pwdAccountLockedTime="20240101000000Z"),
        agent("localboss", "Local", "Boss", FINANCES),
        ldif_entry(
            f"cn=Sans Identifiant,{unit_dn(*FINANCES)}",
            {
                "objectClass": "inetOrgPerson",
                "cn": "Sans Identifiant",
                "sn": "Identifiant",
                "modifyTimestamp": OLD_TIMESTAMP,
            },
        ),
    ]
    return "".join(parts)


# Logins the first sync imports as active agents (disabled: never imported; locked: yes).
IMPORTED = {
    "adurand",
    "mlefevre",
    "jdupont",
    "fndiaye",
    "hcoeur",
    "minimal",
    "pmartin1",
    "pmartin2",
    "photo",
    "locked",
    "localboss",  # unless a local account has that login
}
