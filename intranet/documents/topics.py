"""Documents carry #topics (from their descriptions): visible with the document."""

from intranet.documents.access import visible_documents
from intranet.documents.models import Document
from intranet.topics.access import topic_carrier_register


def visible_tagged_documents(actor):
    """(document, topic) rows of the documents actor may see."""
    return Document.topics.through.objects.filter(document__in=visible_documents(actor))


topic_carrier_register("documents", visible_tagged_documents)
