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
    ],
    COMMS_APPROVER: [
        "wagtailadmin.access_admin",
        "identity.change_brandsettings",
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
    HR_LEAD: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
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


def roles_sync() -> None:
    """Give each role group exactly the permissions listed above."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
    )

    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = ROLE_PERMISSIONS[role]
        if wanted == ["*"]:
            perms = list(Permission.objects.all())
        else:
            perms = []
            for dotted in wanted:
                app_label, codename = dotted.split(".")
                perm = Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                if perm:
                    perms.append(perm)
        group.permissions.set(perms)

        root = Page.get_first_root_node()
        if root is not None:
            for codename in ROLE_PAGE_PERMISSIONS.get(role, []):
                perm = Permission.objects.filter(
                    content_type__app_label="wagtailcore", codename=codename
                ).first()
                if perm:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root, permission=perm
                    )
        collection = Collection.get_first_root_node()
        if collection is not None:
            for dotted in ROLE_COLLECTION_PERMISSIONS.get(role, []):
                app_label, codename = dotted.split(".")
                perm = Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                if perm:
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
