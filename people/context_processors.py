from __future__ import annotations

from django.http import HttpRequest

from . import roles


def navigation(request: HttpRequest) -> dict:
    """What the navigation shows depends on the person's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    employee = getattr(user, "employee", None)
    is_manager = employee is not None and employee.reports.exists()
    unread = None
    if employee is not None:
        from advocacy.selectors import notifications_unread_count

        unread = notifications_unread_count(user=user)
    return {
        "current_employee": employee,
        "nav_can_admin": user.has_perm("wagtailadmin.access_admin"),
        "nav_is_manager": is_manager,
        # Managers and buddies get tasks from the onboarding of their people.
        "nav_has_todo": is_manager
        or (employee is not None and employee.buddies.exists()),
        # Unread notifications (one count); ``None`` hides the link.
        "nav_unread": unread,
        "nav_roles": [
            roles.ROLE_LABELS[g.name]
            for g in user.groups.all()
            if g.name in roles.ROLE_LABELS
        ],
    }
