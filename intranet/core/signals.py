"""Cache invalidation only: branding edited in the admin shows at once."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from intranet.core.branding import forget_branding
from intranet.core.models import Branding


@receiver([post_save, post_delete], sender=Branding)
def branding_changed(**kwargs):
    forget_branding()
