"""HR review: what an HR editor submits goes live only when an HR lead approves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision, WorkflowState

from identity.models import CulturePage
from people import roles
from tests.factories import UserFactory

from .conftest import with_mfa

pytestmark = pytest.mark.django_db


def _add_url(parent) -> str:
    return reverse(
        "wagtailadmin_pages:add", args=["identity", "culturepage", parent.pk]
    )


def _form(title: str, **extra) -> dict:
    return {
        "title": title,
        "slug": title.lower().replace(" ", "-"),
        "summary": "Resumen",
        "body-count": "0",
        **extra,
    }


def _submit(client, editor, home, title: str, **extra) -> CulturePage:
    client.force_login(editor)
    response = client.post(
        _add_url(home), _form(title, **extra, **{"action-submit": "1"})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return CulturePage.objects.get(title=title, locale=home.locale)


def _act(client, user, page, action: str):
    client.force_login(user)
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[page.pk, action, state.current_task_state.pk],
    )
    return client.post(url, {"comment": f"{action} from test"})


def test_submitted_page_is_not_live_until_an_hr_lead_approves(
    client, hr_editor_user, hr_lead_user, reader_es, home_es
):
    page = _submit(client, hr_editor_user, home_es, "Nuestro compromiso")
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == "in_progress"
    assert state.workflow.name == "HR review"

    client.force_login(reader_es)
    assert client.get("/nuestro-compromiso/").status_code == 404

    # The HR lead's dashboard lists it under "Awaiting your review".
    client.force_login(hr_lead_user)
    dashboard = client.get("/admin/").content.decode()
    assert "Awaiting your review" in dashboard
    assert "Nuestro compromiso" in dashboard

    response = _act(client, hr_lead_user, page, "approve")
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live

    client.force_login(reader_es)
    response = client.get("/nuestro-compromiso/")
    assert response.status_code == 200
    assert "Nuestro compromiso" in response.content.decode()


def test_hr_editor_cannot_approve_or_publish_alone(client, hr_editor_user, home_es):
    page = _submit(client, hr_editor_user, home_es, "Sin permiso")
    response = _act(client, hr_editor_user, page, "approve")
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert not page.live

    client.force_login(hr_editor_user)
    client.post(_add_url(home_es), _form("Publicar directo", **{"action-publish": "1"}))
    published = CulturePage.objects.filter(title="Publicar directo", live=True)
    assert not published.exists()
    dashboard = client.get("/admin/").content.decode()
    assert "Awaiting your review" not in dashboard


def test_rejected_page_stays_unpublished(
    client, hr_editor_user, hr_lead_user, reader_es, home_es
):
    page = _submit(client, hr_editor_user, home_es, "Borrador rechazado")
    _act(client, hr_lead_user, page, "reject")
    page.refresh_from_db()
    assert not page.live
    assert WorkflowState.objects.get(object_id=str(page.pk)).status == ("needs_changes")
    client.force_login(reader_es)
    assert client.get("/borrador-rechazado/").status_code == 404


def test_scheduled_publishing_is_honoured(
    client, hr_editor_user, hr_lead_user, reader_es, home_es
):
    go_live = timezone.localtime() + timedelta(days=2)
    page = _submit(
        client,
        hr_editor_user,
        home_es,
        "Programada",
        go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
    )
    _act(client, hr_lead_user, page, "approve")
    page.refresh_from_db()
    assert not page.live
    revision = Revision.page_revisions.get(
        object_id=str(page.pk), approved_go_live_at__isnull=False
    )
    assert abs(revision.approved_go_live_at - go_live) < timedelta(minutes=1)

    call_command("publish_scheduled", verbosity=0)
    page.refresh_from_db()
    assert not page.live  # not yet

    # Two days pass: move the scheduled time into the past instead.
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled", verbosity=0)
    page.refresh_from_db()
    assert page.live
    client.force_login(reader_es)
    assert client.get("/programada/").status_code == 200


def test_revisions_can_be_compared_and_reverted_and_are_in_the_audit_log(
    client, hr_editor_user, hr_lead_user, home_es
):
    page = _submit(client, hr_editor_user, home_es, "Historia")
    _act(client, hr_lead_user, page, "approve")
    client.force_login(hr_editor_user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    client.post(
        edit_url,
        _form("Historia", summary="Segunda versión", **{"action-submit": "1"}),
    )
    revisions = list(
        Revision.page_revisions.filter(object_id=str(page.pk)).order_by("pk")
    )
    assert len(revisions) >= 2
    compare = reverse(
        "wagtailadmin_pages:revisions_compare",
        args=[page.pk, revisions[0].pk, revisions[-1].pk],
    )
    response = client.get(compare)
    assert response.status_code == 200
    assert "Segunda versión" in response.content.decode()
    revert = reverse(
        "wagtailadmin_pages:revisions_revert", args=[page.pk, revisions[0].pk]
    )
    response = client.get(revert)
    assert response.status_code == 200
    assert "Resumen" in response.content.decode()

    actions = set(
        PageLogEntry.objects.filter(page=page).values_list("action", "user__email")
    )
    assert ("wagtail.workflow.start", "editor@example.com") in actions
    assert ("wagtail.workflow.approve", "lead@example.com") in actions


def test_communications_approver_cannot_edit_identity_pages(client, home_es):
    comms = with_mfa(UserFactory(roles=[roles.COMMS_APPROVER]))
    client.force_login(comms)
    page = home_es.add_child(instance=CulturePage(title="Voz", slug="voz"))
    page.save_revision().publish()
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.get(edit_url)
    assert response.status_code in (302, 403)
    client.post(edit_url, _form("Cambiado", **{"action-publish": "1"}))
    page.refresh_from_db()
    assert page.title == "Voz"
    response = client.post(_add_url(home_es), _form("Nueva", **{"action-submit": "1"}))
    assert not CulturePage.objects.filter(title="Nueva").exists()


def test_employee_cannot_reach_the_page_editor(client, reader_es, home_es):
    client.force_login(reader_es)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[home_es.pk]))
    assert response.status_code == 403
