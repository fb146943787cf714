"""French elision in generated phrases: "Publication d’Anne Martin", "de Julien"."""

import pytest
from django.template import Context, Template
from django.utils import translation

from intranet.core.text import elide


@pytest.mark.parametrize(
    ("text", "elided"),
    [
        ("Publication de Anne Martin", "Publication d’Anne Martin"),
        ("Publication de Julien Roux", "Publication de Julien Roux"),
        ("Réponse de Émilie", "Réponse d’Émilie"),
        ("Réponse de Œdipe", "Réponse d’Œdipe"),
        ("Commentaire de Hélène :", "Commentaire d’Hélène :"),  # mute h
        ("Membres de Hongrie-Export", "Membres de Hongrie-Export"),  # aspirated h
        ("Membres de Haute-Savoie", "Membres de Haute-Savoie"),
        ("Publication de Yves", "Publication d’Yves"),
        ("Publication de Yann", "Publication de Yann"),  # y before a vowel: a consonant
        ("Plus de 8 résultats", "Plus de 8 résultats"),
        ("Inde Anne", "Inde Anne"),  # only the word "de"
        ("De Anne", "D’Anne"),
        ("membre de Agents RH et de Ingénierie", "membre d’Agents RH et d’Ingénierie"),
        ("", ""),
    ],
)
def test_french_elides_de_before_a_vowel_sound(text, elided):
    assert elide(text, "fr") == elided


def test_other_languages_are_left_alone():
    assert elide("Publication de Anne", "en") == "Publication de Anne"
    with translation.override("en"):
        assert elide("Post by Anne") == "Post by Anne"
    with translation.override("fr"):
        assert elide("Publication de Anne") == "Publication d’Anne"


def test_filter_keeps_escaping():
    template = Template(
        "{% load i18n transverse %}{% filter elide %}"
        "{% blocktranslate with name=name %}Post by {{ name }}{% endblocktranslate %}"
        "{% endfilter %}"
    )
    with translation.override("fr"):
        html = template.render(Context({"name": "Anne <b>Martin</b>"}))
        assert html == "Publication d’Anne &lt;b&gt;Martin&lt;/b&gt;"
        assert template.render(Context({"name": "Julien"})) == "Publication de Julien"


def test_post_page_title_is_elided(alice_client, alice):
    from intranet.stream.services import posts

    alice.first_name = "Anne"
    alice.save()
    post = posts.post_create(alice, body="Bonjour", visibility="organisation")
    html = alice_client.get(f"/posts/{post.pk}/").content.decode()
    assert "Publication d’Anne Lefèvre" in html
    assert "Publication de Anne" not in html
