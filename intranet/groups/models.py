"""Groups, memberships, join requests and invitations.

Membership rows say who is in a group; the powers of animators and owners are
django-guardian object permissions, granted and withdrawn by the services with the role.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase


class Group(models.Model):
    class Policy(models.TextChoices):
        OPEN = "open", _("open: anyone can join")
        CLOSED = "closed", _("closed: joining needs an animator's approval")
        SECRET = "secret", _("secret: invisible to non-members, by invitation only")

    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("thematic group")
        DEPARTMENT = "department", _("department group")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=10_000)
    policy = models.CharField(_("policy"), max_length=10, choices=Policy.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.THEMATIC)
    department = models.OneToOneField(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subgroups",
    )
    themes = models.ManyToManyField("topics.Topic", blank=True, related_name="groups")
    image = models.ImageField(_("image"), upload_to="groups/", blank=True)
    # The logo's text alternative, written by whoever uploads it; blank if decorative.
    image_alt = models.CharField(_("image description"), max_length=1000, blank=True, default="")
    image_decorative = models.BooleanField(_("decorative image"), default=False)
    is_official = models.BooleanField(_("official"), default=False)
    archived_at = models.DateTimeField(_("archived on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    name_key = models.CharField(max_length=120, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        permissions = [
            ("moderate_group", _("Moderate the group's content and pin posts")),
            ("manage_members", _("Approve, invite and remove members")),
            ("administer_group", _("Edit, archive the group and change roles")),
        ]
        indexes = [models.Index(fields=["policy", "archived_at"])]

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        ANIMATOR = "animator", _("animator")
        OWNER = "owner", _("owner")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    notify_posts = models.BooleanField(_("notify me of new posts"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "agent"], name="groups_one_membership"),
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(role="owner"), name="groups_one_owner"
            ),
        ]
        indexes = [models.Index(fields=["agent", "group"])]


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "agent"],
                condition=models.Q(status="pending"),
                name="groups_one_pending_request",
            )
        ]


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "agent"],
                condition=models.Q(status="pending"),
                name="groups_one_pending_invitation",
            )
        ]


class GroupTool(models.Model):
    """A tool switched on for a group (intranet.groups.tools): a row while it is on."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="tools")
    key = models.CharField(_("tool"), max_length=40)
    enabled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group tool")
        constraints = [
            models.UniqueConstraint(fields=["group", "key"], name="group_tool_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.key}"


class GroupUserObjectPermission(UserObjectPermissionBase):
    """guardian's per-object permissions on groups, with a real foreign key (fast joins)."""

    content_object = models.ForeignKey(Group, on_delete=models.CASCADE)
