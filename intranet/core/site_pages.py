"""The public site pages' default texts, in French and English, for staff to adapt in the
admin (the organisation's name, addresses and contacts, the audit's results).

A migration writes them once; `site_page_get` writes a missing one again, so that the
footer's links never lead to a 404 (a database restored without the rows, a test's flush).
"""

import re

from intranet.core.models import SitePage

ACCESSIBILITY_FR = """\
L’administration qui héberge ce réseau social interne s’engage à rendre ses services
numériques accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.

Cette déclaration d’accessibilité s’applique au réseau social interne Transverse.

## État de conformité

Transverse est **partiellement conforme** avec le référentiel général d’amélioration de
l’accessibilité (RGAA), version 4.1, en raison des non-conformités énumérées ci-dessous.

## Résultats des tests

L’audit de conformité réalisé par l’équipe du projet révèle que **les pages contrôlées
respectent la plupart des critères du RGAA 4.1**. Le taux exact est à compléter après
l’audit de votre déploiement.

### Contenus non accessibles

- Les images publiées avant l’ajout du texte de remplacement par leur auteur peuvent
  n’avoir qu’une alternative générique (critère 1.3).
- Les documents joints (PDF, bureautique) déposés par les agents ne sont pas contrôlés
  (critère 13.3).
- La messagerie instantanée annonce les nouveaux messages en direct ; certaines
  annonces peuvent être verbeuses avec un lecteur d’écran.

### Établissement de cette déclaration

Cette déclaration a été établie le 7 décembre 2026.

- Technologies utilisées : HTML5, CSS, JavaScript (amélioration progressive : le site
  fonctionne sans).
- Méthode : tests automatiques (axe-core) de chaque page en largeur bureau et
  téléphone, en thème clair et sombre, et parcours au clavier ; l’audit manuel avec
  des lecteurs d’écran (NVDA, VoiceOver) est à compléter par votre administration.
- Environnement de test : Chromium récent, sur ordinateur et en largeur de téléphone.

## Retour d’information et contact

Si vous n’arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le
responsable du site pour être orienté vers une alternative accessible ou obtenir le
contenu sous une autre forme : écrivez au service numérique de votre administration
(adresse à compléter).

## Voies de recours

Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou à
une fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir
une réponse rapide de notre part, vous êtes en droit de faire parvenir vos doléances ou
une demande de saisine au **Défenseur des droits**. Plusieurs moyens sont à votre
disposition :

- écrire un message au Défenseur des droits (formulaire en ligne :
  https://formulaire.defenseurdesdroits.fr/) ;
- contacter le délégué du Défenseur des droits dans votre région
  (https://www.defenseurdesdroits.fr/saisir/delegues) ;
- envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des
  droits, Libre réponse 71120, 75342 Paris CEDEX 07.
"""

ACCESSIBILITY_EN = """\
The administration hosting this internal social network is committed to making its
digital services accessible, in accordance with article 47 of French law no. 2005-102 of
11 February 2005.

This accessibility statement applies to the Transverse internal social network.

## Compliance status

Transverse is **partially compliant** with the French accessibility framework (RGAA),
version 4.1, because of the non-compliances listed below.

## Test results

The compliance audit carried out by the project team shows that **the pages checked meet
most RGAA 4.1 criteria**. The exact rate is to be completed after auditing your own
deployment.

### Non-accessible content

- Images published before their authors could describe them may only have a generic
  text alternative (criterion 1.3).
- Attached documents (PDF, office files) uploaded by agents are not checked
  (criterion 13.3).
- The instant messaging announces new messages live; some announcements may be verbose
  with a screen reader.

### Preparation of this statement

This statement was prepared on 7 December 2026.

- Technologies used: HTML5, CSS, JavaScript (progressive enhancement: the site works
  without it).
- Method: automated tests (axe-core) of every page at desktop and phone widths, in light
  and dark themes, and keyboard journeys; the manual audit with screen readers (NVDA,
  VoiceOver) is to be completed by your administration.
- Test environment: recent Chromium, at desktop and phone widths.

## Feedback and contact

If you cannot access some content or a service, you can contact the site's manager to be
directed to an accessible alternative or to obtain the content in another form: write to
your administration's digital service (address to be completed).

## Remedies

If you notice an accessibility defect preventing you from accessing content or a feature
of the site, report it to us, and if you do not get a prompt answer, you are entitled to
send your complaints or a request for referral to the **Défenseur des droits** (the French
rights ombudsman):

- write a message to the Défenseur des droits (online form:
  https://formulaire.defenseurdesdroits.fr/);
- contact the Défenseur des droits' delegate in your region
  (https://www.defenseurdesdroits.fr/saisir/delegues);
- send a letter by post (free of charge, no stamp needed): Défenseur des droits, Libre
  réponse 71120, 75342 Paris CEDEX 07, France.
"""

LEGAL_FR = """\
## Éditeur

Ce réseau social interne est édité par l’administration qui l’héberge (nom, adresse et
numéro SIRET à compléter).

## Directeur ou directrice de la publication

Le directeur ou la directrice de la publication est le chef ou la cheffe de
l’administration (nom à compléter).

## Hébergement

Le site est hébergé sur les serveurs de l’administration ou de son prestataire (nom,
adresse et téléphone à compléter). Aucune donnée n’est transmise à un autre site : les
pages, les styles, les scripts et les images sont servis par le site lui-même.

## Logiciel

Transverse est un logiciel libre. Les contenus publiés par les agents restent sous leur
responsabilité, dans le respect de la charte du réseau.

## Propriété intellectuelle

Sauf mention contraire, les contenus publiés sont réservés à un usage interne à
l’administration.
"""

LEGAL_EN = """\
## Publisher

This internal social network is published by the administration that hosts it (name,
address and SIRET number to be completed).

## Publication director

The publication director is the head of the administration (name to be completed).

## Hosting

The site is hosted on the servers of the administration or of its provider (name,
address and telephone to be completed). No data is sent to another site: pages, styles,
scripts and images are all served by the site itself.

## Software

Transverse is free software. Content published by agents remains their responsibility,
within the network's charter.

## Intellectual property

Unless stated otherwise, published content is for use within the administration only.
"""

DATA_FR = """\
## Responsable du traitement

Le responsable du traitement est l’administration qui héberge ce réseau social interne.
Son délégué ou sa déléguée à la protection des données (DPD) est joignable à l’adresse
indiquée par votre administration (à compléter).

## Données traitées

- Votre identité professionnelle issue de l’annuaire : nom, prénom, identifiant,
  courriel, téléphone, service, fonction, bureau, responsable hiérarchique.
- Ce que vous ajoutez à votre profil : photo, présentation, langues, compétences.
- Ce que vous publiez : publications, commentaires, réactions, messages, documents,
  questions et réponses.
- Des données techniques : journaux de connexion, préférences de langue et de
  notification, présence en ligne.

## Finalités et base légale

Ces données servent à faire fonctionner le réseau social interne : trouver des collègues
et des experts, échanger dans des groupes et des discussions, être notifié. Le
traitement est nécessaire à l’exécution d’une mission d’intérêt public (article 6.1.e du
RGPD).

## Durées de conservation

- Profil : tant que vous êtes agent de l’administration ; supprimé ou anonymisé à votre
  départ.
- Publications et messages : tant que le réseau existe, sauf suppression par leur auteur
  ou par la modération.
- Journaux de connexion : un an au plus.

## Destinataires

Les agents de l’administration, selon la visibilité que vous choisissez (groupes publics,
fermés ou secrets, conversations privées). Les administrateurs du site y accèdent pour
l’exploiter. Aucune donnée n’est transmise à un tiers ni hors de l’Union européenne.

## Vos droits

Vous pouvez accéder à vos données, les faire rectifier, vous opposer à leur traitement ou
en demander la limitation en écrivant au délégué à la protection des données de votre
administration. Si vous estimez, après l’avoir contacté, que vos droits ne sont pas
respectés, vous pouvez adresser une réclamation à la CNIL (https://www.cnil.fr/).

## Cookies

Le site n’utilise que des cookies nécessaires à son fonctionnement (session, protection
contre la falsification de requêtes, langue choisie) : aucun cookie de mesure d’audience
ni de tiers.
"""

DATA_EN = """\
## Data controller

The data controller is the administration that hosts this internal social network. Its
data protection officer (DPO) can be reached at the address given by your administration
(to be completed).

## Data processed

- Your professional identity from the directory: last name, first name, login, e-mail,
  telephone, department, job title, office, manager.
- What you add to your profile: photo, introduction, languages, skills.
- What you publish: posts, comments, reactions, messages, documents, questions and
  answers.
- Technical data: sign-in logs, language and notification preferences, online presence.

## Purposes and legal basis

This data is used to run the internal social network: finding colleagues and experts,
exchanging in groups and conversations, being notified. The processing is necessary for
a task carried out in the public interest (article 6.1.e of the GDPR).

## Retention periods

- Profile: as long as you work for the administration; deleted or anonymised when you
  leave.
- Posts and messages: as long as the network exists, unless deleted by their author or by
  moderation.
- Sign-in logs: one year at most.

## Recipients

The administration's agents, according to the visibility you choose (public, closed or
secret groups, private conversations). The site's administrators access it to run the
site. No data is passed to a third party or outside the European Union.

## Your rights

You may access your data, have it corrected, object to its processing or ask for it to be
restricted by writing to your administration's data protection officer. If you believe,
after contacting them, that your rights are not respected, you may lodge a complaint with
the CNIL (https://www.cnil.fr/).

## Cookies

The site only uses cookies needed for it to work (session, protection against request
forgery, chosen language): no audience measurement or third-party cookie.
"""

PAGES = [
    (
        "accessibility",
        "Déclaration d’accessibilité",
        "Accessibility statement",
        ACCESSIBILITY_FR,
        ACCESSIBILITY_EN,
    ),
    ("legal-notice", "Mentions légales", "Legal notice", LEGAL_FR, LEGAL_EN),
    ("personal-data", "Données personnelles", "Personal data", DATA_FR, DATA_EN),
]


def unwrap(text: str) -> str:
    """Paragraphs and list items on one line each (Markdown needs no hard wraps)."""
    out = []
    for line in text.splitlines():
        starts_block = not line.strip() or line.startswith(("#", "- "))
        if out and not starts_block and out[-1].strip() and not out[-1].startswith("#"):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def french(text: str) -> str:
    """French typography: a no-break space before the high punctuation."""
    return re.sub(r" ([:;?!])", "\u00a0\\1", text)


def site_page_defaults(slug: str) -> dict | None:
    """The fields of slug's page as first written, or None for an unknown page."""
    for page_slug, title_fr, title_en, body_fr, body_en in PAGES:
        if page_slug == slug:
            return {
                "title_fr": title_fr,
                "title_en": title_en,
                "body_fr": french(unwrap(body_fr)),
                "body_en": unwrap(body_en),
            }
    return None


def site_page_get(slug: str) -> SitePage | None:
    """The page with slug (written with its defaults when missing), or None."""
    page = SitePage.objects.filter(slug=slug).first()
    if page is None and (defaults := site_page_defaults(slug)) is not None:
        page, _created = SitePage.objects.get_or_create(slug=slug, defaults=defaults)
    return page
