"""`corett api-token USERNAME [--name NAME]`."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from corett.accounts.models import ApiToken
from corett.audit.models import AuditEntry
from corett.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    # Commands speak the platform's default language (Spanish); these tests read the English.
    with translation.override("en"):
        call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_only_the_raw_token(client, focal_gt):
    out, _err = _run("focal_point-gt", "--name", "Nightly export")
    raw = out.strip()
    assert out == raw + "\n"
    assert raw.startswith("ctt_")
    token = ApiToken.objects.get(user=focal_gt)
    assert token.name == "Nightly export"
    assert token.digest == ApiToken.digest_of(raw)
    # And the token works.
    assert client.get("/api/schema/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_it_is_audited_as_the_system_without_the_token(focal_gt):
    out, _ = _run("focal_point-gt")
    entry = AuditEntry.objects.get(action="accounts.api_token.create")
    assert entry.actor_id is None
    assert entry.actor_username == "system"
    assert entry.extra == {"owner_id": focal_gt.pk}
    assert entry.country == "GT"
    assert out.strip() not in str(entry.content())


def test_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no user with the username 'ghost'"):
        _run("ghost")
    assert not ApiToken.objects.exists()


def test_an_inactive_user_or_one_without_roles_gets_no_token(focal_gt):
    UserFactory.create(username="nobody", roles=[])
    with pytest.raises(CommandError, match="no role"):
        _run("nobody")
    focal_gt.is_active = False
    focal_gt.save()
    with pytest.raises(CommandError, match="inactive"):
        _run("focal_point-gt")
    assert not ApiToken.objects.exists()


def test_the_console_script_exits_1_for_an_unknown_user(tmp_path):
    # A real process (its own SQLite database in a temporary data dir): the exit code and the
    # streams are what a shell script sees.
    env = {**os.environ, "CORETT_DATA_DIR": str(tmp_path), "CORETT_DEMO": "1"}
    env.pop("DATABASE_URL", None)
    script = os.path.join(os.path.dirname(sys.executable), "corett")
    subprocess.run([script, "migrate", "-v0"], env=env, check=True, capture_output=True)  # noqa: S603
    result = subprocess.run([script, "api-token", "ghost"], env=env, capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 1
    assert result.stdout == ""
    assert "ghost" in result.stderr
