"""The "Communications approval" workflow that every brand post goes through."""

from __future__ import annotations

from people import roles

WORKFLOW_NAME = "Communications approval"


def advocacy_workflow_ensure() -> None:
    """Create the workflow once and attach it to brand posts; safe to repeat."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import (
        GroupApprovalTask,
        Workflow,
        WorkflowContentType,
        WorkflowTask,
    )

    from .models import BrandPost

    task, _created = GroupApprovalTask.objects.get_or_create(name=WORKFLOW_NAME)
    # The group may not exist yet right after a flush (roles are synced last).
    approvers, _created = Group.objects.get_or_create(name=roles.COMMS_APPROVER)
    task.groups.set([approvers])
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    WorkflowContentType.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(BrandPost),
        defaults={"workflow": workflow},
    )


def ensure_on_migrate(sender, **kwargs) -> None:
    """Once per migrate (or test flush): when the last app has migrated."""
    from django.apps import apps

    if sender.name == list(apps.get_app_configs())[-1].name:
        advocacy_workflow_ensure()
