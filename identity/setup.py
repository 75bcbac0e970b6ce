"""The fixed frame of the site: locales, the home pages, the Site, the workflow.

Run after every ``migrate`` (and after a test database flush, which also sends
``post_migrate``) so the site always has a home in each language and identity
pages always go through "HR review".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from people import roles

WORKFLOW_NAME = "HR review"
HOME_TITLES = {"es": "Inicio", "en": "Home"}


@transaction.atomic
def identity_site_ensure() -> None:
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        Locale,
        Page,
        Site,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )
    from wagtail_localize.models import LocaleSynchronization

    from .models import HomePage

    default_language = settings.LANGUAGE_CODE
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code, _name in settings.LANGUAGES
    }
    default = locales[default_language]
    for code, locale in locales.items():
        if code != default_language:
            LocaleSynchronization.objects.get_or_create(
                locale=locale, defaults={"sync_from": default}
            )

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=default))

    home = HomePage.objects.filter(locale=default).first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title=HOME_TITLES.get(default_language, "Home"),
                slug="inicio",
                locale=default,
            )
        )
        home.save_revision().publish()
    # Wagtail's own placeholder ("Welcome to your new Wagtail site!").
    placeholder = ContentType.objects.get_for_model(Page)
    Page.objects.filter(depth=2, content_type=placeholder).delete()

    for code, locale in locales.items():
        if code == default_language or home.has_translation(locale):
            continue
        translated = home.copy_for_translation(locale)
        translated.title = HOME_TITLES.get(code, translated.title)
        translated.save_revision().publish()

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Cimientos",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Cimientos"
        site.save()

    task, _created = GroupApprovalTask.objects.get_or_create(name=WORKFLOW_NAME)
    task.groups.set(Group.objects.filter(name__in=[roles.HR_LEAD, roles.ADMINISTRATOR]))
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def ensure_on_migrate(sender, **kwargs) -> None:
    from django.apps import apps

    if sender.name != list(apps.get_app_configs())[-1].name:
        return
    identity_site_ensure()
    # After a flush the root page and collection exist only now; roles need them.
    roles.roles_sync()
