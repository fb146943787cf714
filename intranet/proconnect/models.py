"""An agent's ProConnect identity, and the organisations ProConnect names mapped to departments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Identity(models.Model):
    """The link between an agent and their ProConnect `sub`: made once, never duplicated.

    The `sub` is the only key an agent is found by; the e-mail links an existing account
    only the first time (intranet.proconnect.backend).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="proconnect_identity",
    )
    sub = models.CharField(_("ProConnect subject"), max_length=255, unique=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    organizational_unit = models.CharField(_("organisational unit"), max_length=255, blank=True)
    idp_id = models.CharField(_("identity provider"), max_length=255, blank=True)
    linked_at = models.DateTimeField(_("linked on"), auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last ProConnect sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("ProConnect identity")
        verbose_name_plural = _("ProConnect identities")

    def __str__(self):
        return self.sub


class DepartmentMapping(models.Model):
    """Agents of this SIRET (and, when given, of this organisational unit) belong to this
    department, unless the directory already decides their department."""

    siret = models.CharField(_("SIRET"), max_length=14)
    organizational_unit = models.CharField(
        _("organisational unit"),
        max_length=255,
        blank=True,
        help_text=_("Empty: every agent of this SIRET whose unit has no mapping of its own."),
    )
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("department"), on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("ProConnect department mapping")
        verbose_name_plural = _("ProConnect department mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["siret", "organizational_unit"], name="proconnect_mapping_unique"
            )
        ]

    def __str__(self):
        return f"{self.siret} {self.organizational_unit}".strip()


class SignedInSession(models.Model):
    """A session opened by a ProConnect sign-in, with ProConnect's session id (`sid`), so
    that a back-channel logout finds the sessions to end without reading every session."""

    session_key = models.CharField(max_length=40, unique=True)
    sid = models.CharField(max_length=255, blank=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
