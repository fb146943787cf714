"""The durable queue of index changes, and the PostgreSQL engine's tables.

Services write an `IndexEntry` in the same transaction as the change they make; the single
indexer applies pending entries to the engine in small batches and only then marks them
done, so a crash between the two replays the batch (every application is idempotent).
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class IndexEntry(models.Model):
    class Action(models.TextChoices):
        INDEX = "index", "index"
        REMOVE = "remove", "remove"

    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.INDEX)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(done_at__isnull=True), name="search_entry_pending"
            ),
            models.Index(fields=["done_at"], name="search_entry_done"),
        ]

    def __str__(self):
        return f"{self.action} {self.kind}:{self.object_id}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchDocument(models.Model):
    """One row per indexed item, used by the PostgreSQL engine only (created on PostgreSQL)."""

    key = models.CharField(max_length=80, primary_key=True)
    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    acl = ArrayField(models.CharField(max_length=40))
    vector = SearchVectorField()
    author_id = models.BigIntegerField(null=True)
    group_id = models.BigIntegerField(null=True)
    department_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(null=True)
    digest = models.CharField(max_length=32)
    period = SearchVectorField()  # the creation week as one lexeme (migration 0004)

    class Meta:
        managed = False
        db_table = "search_document"


class SearchWord(models.Model):
    """Words seen by the PostgreSQL engine, for "did you mean" suggestions (trigram index)."""

    word = models.CharField(max_length=60, primary_key=True)

    class Meta:
        managed = False
        db_table = "search_word"
