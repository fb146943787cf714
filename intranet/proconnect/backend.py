"""The ProConnect authentication backend: mozilla-django-oidc's, made strict.

- Tokens: RS256 only, signed by a key of ProConnect's JWKS, with this client as audience,
  ProConnect as issuer, a lifetime (exp, iat) and the nonce of this sign-in; the userinfo
  answer may be JSON or, as ProConnect sends it, a signed JWT checked the same way.
- Agents are found by `sub` alone. The first time, an active account with the same
  e-mail is linked when that e-mail is verified and only one account has it; never twice,
  never a second account for the same person. Unknown agents are refused, or created when
  TRANSVERSE_PROCONNECT_UNKNOWN_AGENTS=create.
- The name comes from given_name + usual_name, the SIRET and organisational unit are kept
  on the identity and mapped to a department (models.DepartmentMapping), except for the
  fields the directory owns.
"""

import logging

import jwt
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from intranet.accounts.models import User
from intranet.proconnect.models import DepartmentMapping, Identity

logger = logging.getLogger(__name__)

# Why a sign-in was refused, kept in the session for the refusal page.
REFUSAL_KEY = "proconnect_refusal"


class Refusal:
    UNKNOWN = "unknown"  # no account and the instance does not create them
    INACTIVE = "inactive"  # the matched account is deactivated
    AMBIGUOUS = "ambiguous"  # the e-mail is on several accounts, or on one already linked
    INVALID = "invalid"  # a token or an answer of the provider did not pass the checks


def _text(claims: dict, name: str, limit: int) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable()).strip()[:limit]


class ProConnectBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        # Only the callback of a code flow is ours; password sign-ins pass by.
        if request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    # --- tokens ---------------------------------------------------------------------------
    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation("ProConnect token is not a JWS") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ProConnect token signed with an unexpected algorithm")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.TRANSVERSE_PROCONNECT_ISSUER,
                leeway=30,
                options={"require": ["iss", "aud", "sub"]},  # exp checked when present
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ProConnect token refused: {type(exc).__name__}") from exc

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs and not {"exp", "iat"} <= payload.keys():
            # An ID token (the one verified with the sign-in's nonce) must have a lifetime.
            raise SuspiciousOperation("ProConnect ID token without exp or iat")
        if "nonce" in kwargs:  # ProConnect's session id, for back-channel logout
            sid = payload.get("sid")
            self.request.proconnect_sid = sid[:255] if isinstance(sid, str) else ""
        return payload

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise SuspiciousOperation("no key of the JWKS matches the token") from exc

    # --- claims -----------------------------------------------------------------------------
    def verify_claims(self, claims):
        sub = claims.get("sub")
        return isinstance(sub, str) and 0 < len(sub) <= 255 and sub.isprintable()

    def filter_users_by_claims(self, claims):
        identity = Identity.objects.select_related("user").filter(sub=claims["sub"]).first()
        if identity is not None:
            return [identity.user]
        user = self._linkable_user(claims)
        return [user] if user is not None else []

    def _linkable_user(self, claims):
        email = _text(claims, "email", 254)
        if not email or "@" not in email:
            return None
        verified = (
            claims.get("email_verified") is True or settings.TRANSVERSE_PROCONNECT_EMAILS_VERIFIED
        )
        if not verified:
            return None
        same = list(User.objects.filter(email__iexact=email)[:2])
        if not same:
            return None
        if len(same) > 1 or Identity.objects.filter(user=same[0]).exists():
            # Several accounts, or one already linked to another ProConnect identity:
            # never guess, never re-link by e-mail, and never create a second account.
            self._refuse(Refusal.AMBIGUOUS)
            raise SuspiciousOperation("ProConnect e-mail matches no single unlinked account")
        return same[0]

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            self._refuse(Refusal.UNKNOWN)
        return user

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo and ID token name different subjects")
        return claims

    def _refuse(self, reason: str) -> None:
        self.request.session[REFUSAL_KEY] = reason
        logger.warning("ProConnect sign-in refused: reason=%s", reason)

    # --- accounts ---------------------------------------------------------------------------
    def create_user(self, claims):
        email = _text(claims, "email", 254)
        username = email.lower() if email else ""
        if not username or User.objects.filter(username__iexact=username).exists():
            username = f"proconnect-{get_random_string(12).lower()}"
        with transaction.atomic():
            user = User(username=username, email=email, source=User.Source.PROCONNECT)
            user.set_unusable_password()
            user.save()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        if not user.is_active:
            self._refuse(Refusal.INACTIVE)
            raise SuspiciousOperation("ProConnect sign-in of a deactivated account")
        owned = set(user.directory_fields or ())
        changed = set()
        for field, claim, limit in (
            ("first_name", "given_name", 150),
            ("last_name", "usual_name", 150),
            ("email", "email", 254),
        ):
            value = _text(claims, claim, limit)
            if value and field not in owned and getattr(user, field) != value:
                setattr(user, field, value)
                changed.add(field)
        siret = _text(claims, "siret", 14)
        unit = _text(claims, "organizational_unit", 255)
        if "department" not in owned:
            department = self._mapped_department(siret, unit)
            if department is not None and user.department_id != department.pk:
                user.department = department
                changed.add("department")
        if changed:
            user.save(update_fields=changed)
        try:
            with transaction.atomic():
                Identity.objects.update_or_create(
                    user=user,
                    defaults={
                        "sub": claims["sub"],
                        "siret": siret,
                        "organizational_unit": unit,
                        "idp_id": _text(claims, "idp_id", 255),
                        "last_sign_in": timezone.now(),
                    },
                )
        except IntegrityError as exc:  # the sub is another agent's: never a second link
            raise SuspiciousOperation("ProConnect subject already linked") from exc
        return user

    @staticmethod
    def _mapped_department(siret: str, unit: str):
        if not siret:
            return None
        mappings = DepartmentMapping.objects.filter(
            siret=siret, organizational_unit__in={unit, ""}
        ).select_related("department")
        best = sorted(mappings, key=lambda m: m.organizational_unit == "")
        return best[0].department if best else None
