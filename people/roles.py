"""The five roles, as Django groups, and the permissions each job needs.

The groups themselves are created by a data migration. Their permissions are
(re)applied after every ``migrate`` so a model added later by another app is
covered without a new data migration per app.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EMPLOYEE = "Employee"
MANAGER = "Manager"
HR_EDITOR = "HR editor"
# HR editors who may also approve identity content in the "HR review" workflow.
HR_LEAD = "HR lead"
COMMS_APPROVER = "Communications approver"
ADMINISTRATOR = "Administrator"

ALL_ROLES = [EMPLOYEE, MANAGER, HR_EDITOR, HR_LEAD, COMMS_APPROVER, ADMINISTRATOR]
ADMIN_ROLES = [HR_EDITOR, HR_LEAD, COMMS_APPROVER, ADMINISTRATOR]
# Roles that give no rights over anyone else's data; everyone has the first and
# the second is derived from the reporting line.
PLAIN_ROLES = [EMPLOYEE, MANAGER]
# A role that can do everything another can counts as having it too. An
# Administrator has every permission, so every group; see
# people.selectors.users_beyond_reach.
ROLE_INCLUDES: dict[str, list[str]] = {HR_LEAD: [HR_EDITOR]}

ROLE_LABELS = {
    EMPLOYEE: _("Employee"),
    MANAGER: _("Manager"),
    HR_EDITOR: _("HR editor"),
    HR_LEAD: _("HR lead"),
    COMMS_APPROVER: _("Communications approver"),
    ADMINISTRATOR: _("Administrator"),
}

# app_label.codename; codenames for models that do not exist yet are skipped.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    EMPLOYEE: [],
    MANAGER: [],
    HR_EDITOR: [
        "wagtailadmin.access_admin",
        "people.view_employee",
        "people.add_employee",
        "people.change_employee",
        "people.view_department",
        "people.add_department",
        "people.change_department",
        "people.view_team",
        "people.add_team",
        "people.change_team",
        "people.add_invitation",
        "people.view_invitation",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "identity.add_value",
        "identity.change_value",
        "identity.delete_value",
        "identity.change_brandsettings",
        "wagtail_localize.submit_translation",
        "onboarding.view_enrolment",
        "onboarding.add_enrolment",
        "onboarding.change_enrolment",
        "onboarding.view_certificate",
        "insights.view_reports",
        # HR drafts brand posts; only Communications approves them.
        "advocacy.add_brandpost",
        "advocacy.change_brandpost",
    ],
    COMMS_APPROVER: [
        "wagtailadmin.access_admin",
        "identity.change_brandsettings",
        # Brand posts: write, approve (approving publishes), lock, retire.
        "advocacy.add_brandpost",
        "advocacy.change_brandpost",
        "advocacy.delete_brandpost",
        "advocacy.publish_brandpost",
        "advocacy.lock_brandpost",
        "advocacy.add_topic",
        "advocacy.change_topic",
        "advocacy.delete_topic",
        "advocacy.add_campaign",
        "advocacy.change_campaign",
        "advocacy.delete_campaign",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.choose_document",
    ],
    ADMINISTRATOR: ["*"],
}
ROLE_PERMISSIONS[HR_LEAD] = ROLE_PERMISSIONS[HR_EDITOR]

# Page tree permissions on the root page, per role.
ROLE_PAGE_PERMISSIONS: dict[str, list[str]] = {
    HR_EDITOR: ["add_page", "change_page"],
    # Approving the last task of a workflow publishes, so the approver needs it.
    HR_LEAD: ["add_page", "change_page", "publish_page"],
    ADMINISTRATOR: ["add_page", "change_page", "publish_page", "lock_page"],
}
# Collection permissions for images and documents, per role.
ROLE_COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    HR_EDITOR: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    COMMS_APPROVER: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.choose_document",
    ],
}
ROLE_COLLECTION_PERMISSIONS[HR_LEAD] = ROLE_COLLECTION_PERMISSIONS[HR_EDITOR]


def _permissions(dotted_names: list[str]):
    """Permission rows for ``app_label.codename`` names; missing ones are skipped."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    query = Q(pk__in=[])
    for dotted in dotted_names:
        app_label, codename = dotted.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def roles_sync() -> None:
    """Give each role group exactly the permissions listed above."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
    )

    root = Page.get_first_root_node()
    collection = Collection.get_first_root_node()
    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = ROLE_PERMISSIONS[role]
        if wanted == ["*"]:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(_permissions(wanted))

        if root is not None:
            page_perms = _permissions(
                [f"wagtailcore.{name}" for name in ROLE_PAGE_PERMISSIONS.get(role, [])]
            )
            GroupPagePermission.objects.filter(group=group).exclude(
                page=root, permission__in=page_perms
            ).delete()
            for perm in page_perms:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=perm
                )
        if collection is not None:
            collection_perms = _permissions(ROLE_COLLECTION_PERMISSIONS.get(role, []))
            GroupCollectionPermission.objects.filter(group=group).exclude(
                collection=collection, permission__in=collection_perms
            ).delete()
            for perm in collection_perms:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=perm
                )


def sync_on_migrate(sender, **kwargs) -> None:
    from django.apps import apps

    # post_migrate is sent once per app; permissions of every app exist only
    # when it is sent for the last one.
    if sender.name != list(apps.get_app_configs())[-1].name:
        return
    roles_sync()
