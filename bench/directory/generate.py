"""A seeded LDIF of a realistic administration, for the directory benchmark.

    .venv/bin/python -m bench.directory.generate --size 50000 --out var/bench/directory.ldif

Directions > services > bureaux (organisational units with a head), agents spread over
them with French names (accents, apostrophes, homonyms), a manager each, 1 % with a
photo, and modifyTimestamp values spread over 2024 so that an incremental sync only
sees what the benchmark changes. Every agent's password is PASSWORD.
"""

import argparse
import random
from pathlib import Path

from tests.directory.ldif import jpeg_photo, ldif_entry
from tests.directory.slapd import SERVICE_DN, SERVICE_PASSWORD, SUFFIX, USER_BASE, ssha


def words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


PASSWORD = "bench-password"  # noqa: S105 (published test data)
FIRST = words(
    "Anne Jean Marie Pierre Fatou Hélène Luc Chloé François Zoé Théo Léa Noël Inès Loïc Maëlle "
    "Jérôme Céline Benoît Agnès Mathis Eloïse Yasmine Karim Sébastien Aurélie Hugo Manon Paul Lucie"
)
LAST = words(
    "Martin Bernard Dubois Lefèvre N'Diaye Moreau Laurent Simon Michel Garçon Lefebvre Leroy "
    "Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
    "Müller Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier "
    "Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval "
    "D'Arcy Lemoine Cœur Brunet Schmitt Colin Vidal Caron Picard Roger Fabre Aubert Lemaire"
)
DIRECTIONS = words(
    "Direction générale des services|Direction des ressources humaines|Direction des finances|"
    "Direction du numérique|Direction de l'urbanisme|Direction des affaires juridiques|"
    "Direction de la culture|Direction de l'éducation|Direction de l'environnement|"
    "Direction des bâtiments",
    sep="|",
)
SERVICES = (
    "Service études",
    "Service pilotage",
    "Service d'appui",
    "Service qualité",
    "Service projets",
)
BUREAUX = ("Bureau A", "Bureau B", "Bureau C", "Bureau d'accueil")


def units() -> list[tuple[str, ...]]:
    result = []
    for direction in DIRECTIONS:
        result.append((direction,))
        for service in SERVICES:
            result.append((direction, service))
            result.extend((direction, service, bureau) for bureau in BUREAUX)
    return result


def unit_dn(names: tuple[str, ...]) -> str:
    return ",".join([*(f"ou={n}" for n in reversed(names)), USER_BASE])


def agent_uid(index: int) -> str:
    return f"agent{index:06d}"


def generate(out: Path, size: int, seed: int = 42) -> dict:
    """Write the LDIF; returns {"units": n, "agents": size, "uids": [...] }."""
    rng = random.Random(seed)
    all_units = units()
    # Bureaux hold most agents; every unit has at least its head.
    homes = [all_units[i % len(all_units)] for i in range(len(all_units))]
    bureaux = [u for u in all_units if len(u) == 3]
    homes += [rng.choice(bureaux) for _ in range(max(0, size - len(homes)))]
    homes = homes[:size]
    head_of = {}  # unit -> uid of its first agent
    agent_dns = []
    for index, home in enumerate(homes):
        uid = agent_uid(index)
        head_of.setdefault(home, uid)
        agent_dns.append(f"uid={uid},{unit_dn(home)}")
    password = ssha(PASSWORD)
    with out.open("w", encoding="utf-8") as handle:
        handle.write(
            ldif_entry(
                SUFFIX,
                {
                    "objectClass": ["dcObject", "organization"],
                    "dc": "transverse",
                    "o": "Transverse",
                },
            )
            + ldif_entry(
                f"ou=services,{SUFFIX}", {"objectClass": "organizationalUnit", "ou": "services"}
            )
            + ldif_entry(
                SERVICE_DN,
                {
                    "objectClass": ["applicationProcess", "simpleSecurityObject"],
                    "cn": "transverse",
                    "userPassword": ssha(SERVICE_PASSWORD),
                },
            )
            + ldif_entry(USER_BASE, {"objectClass": "organizationalUnit", "ou": "agents"})
        )
        for names in all_units:
            head = head_of.get(names)
            attributes = {
                "objectClass": ["organizationalUnit", "extensibleObject"],
                "ou": names[-1],
            }
            if head:
                attributes["manager"] = f"uid={head},{unit_dn(names)}"
            handle.write(ldif_entry(unit_dn(names), attributes))
        for index, home in enumerate(homes):
            uid = agent_uid(index)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            boss_unit = home if head_of[home] != uid else (home[:-1] or home)
            boss = head_of.get(boss_unit, uid)
            attributes = {
                "objectClass": ["inetOrgPerson"],
                "uid": uid,
                "cn": f"{first} {last}",
                "sn": last,
                "givenName": first,
                "mail": f"{uid}@transverse.test",
                "title": rng.choice(("Chargé de mission", "Cheffe de projet", "Juriste", "Agent")),
                "telephoneNumber": f"+33 1 {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
                f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
                "roomNumber": f"{rng.choice('ABCDE')}-{rng.randrange(100, 500)}",
                "userPassword": password,
                "modifyTimestamp": f"2024{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
                f"{rng.randrange(0, 24):02d}{rng.randrange(0, 60):02d}00Z",
            }
            if boss != uid:
                attributes["manager"] = f"uid={boss},{unit_dn(boss_unit)}"
            if index % 100 == 7:  # 1 %, each a different picture (an AD-sized thumbnail)
                attributes["jpegPhoto"] = jpeg_photo((index % 251, (index // 251) % 251, 160), 96)
            handle.write(ldif_entry(agent_dns[index], attributes))
    return {"units": len(all_units), "agents": size, "dns": agent_dns}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("var/bench/directory.ldif"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    info = generate(args.out, args.size, args.seed)
    print(f"{args.out}: {info['agents']} agents in {info['units']} units")


if __name__ == "__main__":
    main()
