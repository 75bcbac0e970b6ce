"""Wagtail's Users screens, held to the rule of who may change whom.

Administrators give roles there. The rule (``selectors.users_beyond_reach``)
applies as on the People screen: nobody edits, deletes or deactivates someone
with rights they lack, gives a role they do not hold, or makes a superuser
unless they are one. Sign-in emails change only on the People screen, where
the change asks to re-authenticate, tells the old address and ends sessions.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users

from . import selectors
from .admin_views import forbidden, forbidden_as_403
from .models import User

GROUPS_REFUSED = gettext_lazy("You can only give roles that you have yourself.")


def _user_refused(*, user: User) -> PermissionDenied:
    return PermissionDenied(
        _(
            "%(name)s has rights you do not have: only someone with at least the "
            "same roles can change them."
        )
        % {"name": user.get_full_name()}
    )


class _WithinReachForm:
    """No superuser flag for non-superusers, no roles beyond the actor's own."""

    def __init__(self, *args, actor: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if actor is not None and not actor.is_superuser:
            self.fields.pop("is_superuser", None)

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        if self.actor is not None and not selectors.groups_grant_allowed(
            actor=self.actor, groups=groups
        ):
            raise ValidationError(GROUPS_REFUSED)
        return groups


class UserCreateForm(_WithinReachForm, UserCreationForm):
    pass


class UserChangeForm(_WithinReachForm, UserEditForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.disabled = True
        email.help_text = _(
            "Sign-in emails are changed on the person's page under People."
        )


class _ActorFormKwargs:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}


class _WithinReachRequired:
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not selectors.user_manage_allowed(actor=request.user, user=self.object):
            raise _user_refused(user=self.object)
        return super().dispatch(request, *args, **kwargs)


class UserIndexView(wagtail_users.IndexView):
    @cached_property
    def beyond_reach(self) -> set[int]:
        users = selectors.users_beyond_reach(actor=self.request.user)
        return set(users.values_list("pk", flat=True))

    def get_edit_url(self, instance: User) -> str | None:
        if instance.pk in self.beyond_reach:
            return None
        return super().get_edit_url(instance)

    def get_delete_url(self, instance: User) -> str | None:
        if instance.pk in self.beyond_reach:
            return None
        return super().get_delete_url(instance)


class UserCreateView(_ActorFormKwargs, wagtail_users.CreateView):
    pass


class UserEditView(_WithinReachRequired, _ActorFormKwargs, wagtail_users.EditView):
    pass


class UserDeleteView(_WithinReachRequired, wagtail_users.DeleteView):
    pass


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = UserIndexView
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView

    def get_form_class(self, for_update: bool = False):
        return UserChangeForm if for_update else UserCreateForm

    def construct_view(self, view_class, **kwargs):
        return forbidden_as_403(super().construct_view(view_class, **kwargs))


def user_bulk_action_check(request: HttpRequest, action_type, objects, action):
    """``before_bulk_action``: the same rule for Wagtail's bulk user actions."""
    if action.model is not User:
        return None
    for user in objects:
        if not selectors.user_manage_allowed(actor=request.user, user=user):
            return forbidden(request, str(_user_refused(user=user)))
    # Assigning a role: the bulk action's form has been validated by now.
    role = action.cleaned_form.cleaned_data.get("role")
    if role is not None and not selectors.groups_grant_allowed(
        actor=request.user, groups=[role]
    ):
        return forbidden(request, str(GROUPS_REFUSED))
    return None
