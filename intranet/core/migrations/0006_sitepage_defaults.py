"""The three public pages with their default texts (intranet/core/site_pages.py)."""

from django.db import migrations

SLUGS = ["accessibility", "legal-notice", "personal-data"]


def add_pages(apps, schema_editor):
    # The texts as this version of the code has them: a later edit of the defaults never
    # changes a page that exists (get_or_create), so the history stays what it was.
    from intranet.core.site_pages import site_page_defaults

    SitePage = apps.get_model("core", "SitePage")
    for slug in SLUGS:
        SitePage.objects.get_or_create(slug=slug, defaults=site_page_defaults(slug))


def remove_pages(apps, schema_editor):
    apps.get_model("core", "SitePage").objects.filter(slug__in=SLUGS).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_sitepage")]

    operations = [migrations.RunPython(add_pages, remove_pages)]
