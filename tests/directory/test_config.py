"""TRANSVERSE_LDAP_* parsing and presets: a bad value stops start-up with the variable's name."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from intranet.directory.config import (
    directory_config,
    parse_attribute_map,
    parse_filter,
    parse_preset,
    parse_urls,
)
from intranet.directory.entries import MalformedEntry, agent_from_entry


def test_urls_must_be_ldap_or_ldaps():
    assert parse_urls(["ldaps://a.example:636", "ldap://b"], "V") == (
        "ldaps://a.example:636",
        "ldap://b",
    )
    with pytest.raises(ImproperlyConfigured, match="TRANSVERSE_LDAP_URL"):
        parse_urls(["http://a.example"], "TRANSVERSE_LDAP_URL")


def test_preset_names():
    assert parse_preset("", "V") == "openldap"
    assert parse_preset("AD", "V") == parse_preset("active-directory", "V") == "active_directory"
    with pytest.raises(ImproperlyConfigured, match="TRANSVERSE_LDAP_PRESET"):
        parse_preset("novell", "TRANSVERSE_LDAP_PRESET")


def test_attribute_map_overrides_and_rejects_unknown_fields():
    assert parse_attribute_map("office=physicalDeliveryOfficeName, photo=", "V") == {
        "office": "physicalDeliveryOfficeName",
        "photo": "",
    }
    for bad in ("salary=x", "title", "title=a)(b", "username="):
        with pytest.raises(ImproperlyConfigured, match="TRANSVERSE_LDAP_ATTRIBUTE_MAP"):
            parse_attribute_map(bad, "TRANSVERSE_LDAP_ATTRIBUTE_MAP")


def test_user_filter_needs_the_username_placeholder_once():
    assert parse_filter("(mail={username})", "V", needs_username=True) == "(mail={username})"
    for bad in ("uid={username}", "(uid=x)", "(|(uid={username})(mail={username}))"):
        with pytest.raises(ImproperlyConfigured, match="TRANSVERSE_LDAP_USER_FILTER"):
            parse_filter(bad, "TRANSVERSE_LDAP_USER_FILTER", needs_username=True)


def test_active_directory_preset(settings):
    settings.TRANSVERSE_LDAP_PRESET = "active_directory"
    settings.TRANSVERSE_LDAP_ATTRIBUTE_MAP = {"office": "roomNumber"}
    config = directory_config()
    assert "sAMAccountName={username}" in config.user_filter
    assert config.attribute_map["username"] == "sAMAccountName"
    assert config.attribute_map["photo"] == "thumbnailPhoto"
    assert config.attribute_map["office"] == "roomNumber"
    assert config.department_head_attribute == "managedBy"
    assert {"userAccountControl", "lockoutTime"} <= set(config.user_attributes())


def test_ad_account_control_and_lockout(settings):
    settings.TRANSVERSE_LDAP_PRESET = "active_directory"
    settings.TRANSVERSE_LDAP_USER_BASE = "OU=Agents,DC=ad,DC=example"
    config = directory_config()
    dn = "CN=Jean Dupont,OU=DRH,OU=Agents,DC=ad,DC=example"
    base = {"sAMAccountName": [b"jdupont"], "sn": [b"Dupont"]}
    enabled = agent_from_entry(config, dn, {**base, "userAccountControl": [b"512"]})
    assert not enabled.disabled and not enabled.locked
    assert enabled.department_path == (("ou=drh,ou=agents,dc=ad,dc=example", "DRH"),)
    disabled = agent_from_entry(config, dn, {**base, "userAccountControl": [b"514"]})
    assert disabled.disabled
    locked = agent_from_entry(config, dn, {**base, "lockoutTime": [b"133497000000000000"]})
    assert locked.locked and not locked.disabled
    assert not agent_from_entry(config, dn, {**base, "lockoutTime": [b"0"]}).locked


def test_department_from_an_attribute_builds_the_hierarchy(settings):
    settings.TRANSVERSE_LDAP_ATTRIBUTE_MAP = {"department": "departmentNumber"}
    agent = agent_from_entry(
        directory_config(),
        "uid=x,ou=people,dc=example",
        {"uid": [b"x"], "departmentNumber": [b"DGS / DRH"]},
    )
    assert [name for _key, name in agent.department_path] == ["DGS", "DRH"]


def test_malformed_entries_say_why(settings):
    config = directory_config()
    with pytest.raises(MalformedEntry, match="no uid"):
        agent_from_entry(config, "cn=x,dc=example", {"cn": [b"x"]})
    with pytest.raises(MalformedEntry, match="UTF-8"):
        agent_from_entry(config, "uid=x,dc=example", {"uid": [b"x"], "sn": [b"\xff\xfe"]})
    with pytest.raises(MalformedEntry, match="forbidden"):
        agent_from_entry(config, "uid=x,dc=example", {"uid": [b"a b"]})


def test_system_check_wants_a_base_and_warns_about_plain_text(settings):
    from intranet.directory.config import check_directory_settings

    settings.TRANSVERSE_LDAP_URLS = ("ldap://ldap.example.fr",)
    settings.TRANSVERSE_LDAP_USER_BASE = ""
    settings.TRANSVERSE_LDAP_START_TLS = False
    ids = {problem.id for problem in check_directory_settings()}
    assert ids == {"dir.E001", "dir.W001"}
    settings.TRANSVERSE_LDAP_USER_BASE = "ou=agents,dc=example,dc=fr"
    settings.TRANSVERSE_LDAP_START_TLS = True
    assert check_directory_settings() == []
