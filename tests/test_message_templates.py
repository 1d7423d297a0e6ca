"""Message templates: the sandbox, refusal on save with the line, versions, language fallback, preview."""

import time

import pytest

from domain import templates
from domain.teams import Team
from tests import messaging
from tests.messaging import TEMPLATE, unique

PREVIEW = """
query ($account: ID!, $name: String!, $contact: ID) {
  previewMessage(accountId: $account, templateName: $name, contactId: $contact) {
    subject body language contact { name } invoices { number }
  }
}
"""
TEMPLATES = "query ($name: String) { messageTemplates(name: $name) { name language version body } }"


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ account.name.__class__ }}",
        "{{ range.__globals__ }}",
        "{{ account.name.ljust(100000000) }}",
        "{{ 'x' * 10000000 }}",
        "{{ 10 ** 10000000 }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{{ lipsum() }}",
        "{{ account.name|center(10000000) }}",
    ],
)
def test_hostile_template_text_is_refused_never_executed(text):
    started = time.monotonic()
    with pytest.raises(templates.TemplateProblem):
        templates.render_text(text, templates.sample_values())
    assert time.monotonic() - started < 5


def test_a_large_render_is_cut_at_the_limit():
    text = "{% for i in range(9000) %}{{ 'x' * 5000 }}{% endfor %}"
    assert len(templates.render_text(text, templates.sample_values())) == templates.RENDER_MAX


def test_placeholders_render():
    text = "{{ contact.name }}: {% for i in invoices %}{{ i.number }} {{ i.days_overdue }}{% endfor %}"
    assert templates.render_text(text, templates.sample_values()) == "Alex Example: INV-1 7"


def test_language_falls_back_from_region_to_language_to_default():
    assert templates.language_candidates("fr-CH") == ["fr-ch", "fr", "en"]
    assert templates.language_candidates(None) == ["en"]
    assert templates.language_candidates("EN") == ["en"]


async def test_saving_creates_version_one_and_the_next_save_needs_the_version(make_caller):
    ar = await make_caller(Team.AR)
    name = unique("reminder")
    first = await messaging.template(ar, name)
    assert first["userErrors"] == []
    assert first["template"]["version"] == 1
    stale = await messaging.template(ar, name, body="Hello {{ contact.name }}")
    assert stale["userErrors"][0]["code"] == "CONFLICT"
    second = await messaging.template(ar, name, body="Hello {{ contact.name }}", expectedVersion=1)
    assert second["template"]["version"] == 2
    listed = (await ar.gql(TEMPLATES, {"name": name}))["messageTemplates"]
    assert [(t["version"], t["body"]) for t in listed] == [(2, "Hello {{ contact.name }}")]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Dear {{ contact.name }},\n{% for i in invoices %}\n{{ i.number }\n{% endfor %}", "line 3"),
        (
            "Dear {{ contact.name }},\n\n{{ customer_number }}",
            "line 3: unknown placeholder 'customer_number'",
        ),
        ("Dear {{ contact.nmae }}", "line 1"),
        ("{{ ''.__class__ }}", "unsafe"),
    ],
)
async def test_a_template_that_does_not_render_is_refused_with_its_line_and_nothing_is_saved(
    make_caller, body, words
):
    ar = await make_caller(Team.AR)
    name = unique("broken")
    result = await messaging.template(ar, name, body=body)
    assert result["template"] is None
    [error] = result["userErrors"]
    assert error["field"] == ["input", "body"]
    assert words in error["message"]
    assert (await ar.gql(TEMPLATES, {"name": name}))["messageTemplates"] == []


async def test_only_ar_and_admin_write_templates(make_caller):
    sales = await make_caller(Team.SALES)
    response = await sales.gql(
        TEMPLATE,
        {"input": {"name": unique("x"), "language": "en", "channel": "EMAIL", "body": "Hi"}},
    )
    assert response["saveMessageTemplate"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_bad_language_and_channel_are_refused(make_caller):
    ar = await make_caller(Team.AR)
    result = await ar.gql(
        TEMPLATE, {"input": {"name": unique("x"), "language": "not a tag", "channel": "PHONE", "body": "Hi"}}
    )
    fields = sorted(tuple(e["field"]) for e in result["saveMessageTemplate"]["userErrors"])
    assert fields == [("input", "channel"), ("input", "language")]


async def test_preview_renders_for_a_real_account_in_the_contacts_language_with_fallback(make_caller):
    ar = await make_caller(Team.AR)
    account, ref = await messaging.account(ar)
    await messaging.contact(ar, account, name="Claire Comptable", language="fr-CH")
    await messaging.invoices(ar, ref, [("P-1", "2026-01-10", "120.50", "CHF")])
    name = unique("summary")
    await messaging.template(ar, name, body="EN {{ contact.name }}")
    await messaging.template(
        ar,
        name,
        language="fr",
        body="FR {{ contact.name }}{% for i in invoices %} {{ i.number }}{% endfor %}",
    )
    shown = (await ar.gql(PREVIEW, {"account": account, "name": name}))["previewMessage"]
    assert shown["body"] == "FR Claire Comptable P-1"
    assert shown["language"] == "fr"
    assert shown["contact"] == {"name": "Claire Comptable"}
    assert shown["invoices"] == [{"number": "P-1"}]
    # a German speaker gets the default language
    other = await messaging.contact(ar, account, name="Dieter Deutsch", language="de", email="d@example.com")
    shown = (await ar.gql(PREVIEW, {"account": account, "name": name, "contact": other}))["previewMessage"]
    assert (shown["body"], shown["language"]) == ("EN Dieter Deutsch", "en")
